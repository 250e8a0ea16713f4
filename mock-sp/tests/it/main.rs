//! Integration tests of scimlab-mock-sp: one binary, one module per area.
mod store;
mod http;
mod idp_wire;
mod recorder;
mod bulk;
mod faults;
