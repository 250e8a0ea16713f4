//! Integration tests of scimlab-mock-sp: one binary, one module per area.
mod audit;
mod bulk;
mod faults;
mod fuzz;
mod hostile_clients;
mod http;
mod idp_wire;
mod project;
mod recorder;
mod store;
