//! RFC 7644 section 3.5.2: the PATCH `path` attribute as a syntax tree.
//!
//! `PATH = attrPath / valuePath [subAttr]`: an attribute (optionally URN-qualified, optionally with a
//! sub-attribute), or a multi-valued attribute narrowed by a filter in brackets, optionally followed by a
//! sub-attribute of the matching elements (`emails[type eq "work"].value`). The parser lives with the filter
//! parser, because the bracket holds a filter.

use crate::filter::Filter;

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
