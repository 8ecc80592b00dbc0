// `sqlx::migrate!` embeds the migrations at compile time, but Cargo does not know to rebuild
// when a migration is added or edited: without this, a new file would be silently left out of
// the server and of every test until some Rust file changed.
fn main() {
    println!("cargo:rerun-if-changed=../migrations-server");
}
