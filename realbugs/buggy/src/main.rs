//! The real-bug corpus against the releases with the bugs: prints the table.

#[path = "../../corpus/mod.rs"]
mod corpus;
#[path = "../../harness.rs"]
mod harness;

fn main() {
    harness::main(harness::Build::Buggy, include_str!("../Cargo.toml"));
}
