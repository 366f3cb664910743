//! Compiles proto/walrec/v1/recording.proto into Rust with protox (a pure-Rust protobuf
//! compiler, so no `protoc` is needed) and prost-build, when the `recording` feature is on.

fn main() {
    println!("cargo:rerun-if-changed=proto");
    #[cfg(feature = "recording")]
    compile_recording_schema();
}

#[cfg(feature = "recording")]
fn compile_recording_schema() {
    let descriptors = match protox::compile(["walrec/v1/recording.proto"], ["proto"]) {
        Ok(descriptors) => descriptors,
        Err(error) => panic!("proto/walrec/v1/recording.proto does not compile: {error}"),
    };
    if let Err(error) = prost_build::Config::new().compile_fds(descriptors) {
        panic!("cannot generate Rust from proto/walrec/v1/recording.proto: {error}");
    }
}
