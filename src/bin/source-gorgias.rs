//! The Airbyte source binary: the library's Airbyte face as a process.

fn main() {
    source_gorgias::face::process::<source_gorgias::airbyte::Airbyte>()
}
