//! RFC 7644 section 3.5.2: the PATCH `path` attribute as a syntax tree.
//!
//! `PATH = attrPath / valuePath [subAttr]`: an attribute (optionally URN-qualified, optionally with a
//! sub-attribute), or a multi-valued attribute narrowed by a filter in brackets, optionally followed by a
//! sub-attribute of the matching elements (`emails[type eq "work"].value`). The parser lives with the filter
//! parser, because the bracket holds a filter.

use crate::error::ScimError;
use crate::filter::Filter;
use std::fmt;

/// A parsed PATCH path.
///
/// A bare schema URN (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`) parses with its last segment
/// as `name` (`User`); the applier recognises `urn:name` as an extension URN through the schema registry.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// Schema URN prefix, as written, without the final `:`.
    pub urn: Option<String>,
    /// The top-level attribute, as written.
    pub name: String,
    /// The bracketed filter of a value path, applied to the elements of `name`.
    pub filter: Option<Filter>,
    /// The sub-attribute: `name.sub`, or `name[filter].sub`.
    pub sub: Option<String>,
}

impl PatchPath {
    /// RFC 7644 section 3.5.2: parses a PATCH `path`, `attrPath` or `attrPath "[" valFilter "]" ["." subAttr]`,
    /// with an optional schema URN prefix (which runs to the last `:` and may contain dots).
    ///
    /// A malformed path (empty, trailing text, an unclosed bracket, a sub-attribute before the bracket, a bad
    /// filter inside it) is a 400 `invalidPath` whose detail names the byte offset and what was expected.
    pub fn parse(input: &str) -> Result<PatchPath, ScimError> {
        crate::filter::parse_patch_path(input).map_err(|e| e.to_scim_path())
    }
}

/// The canonical text of a path: `[urn ":"] name ["[" filter "]"] ["." sub]`, which parses back to the same
/// path.
impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}
