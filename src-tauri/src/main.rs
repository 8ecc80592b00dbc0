// No console window behind the till on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // WebKitGTK's DMA-BUF renderer shares GPU buffers between its processes; the tills' cheap
    // machines (and Xvfb) have no GPU for it, and its software fallback costs the web process
    // about 110 MB more (docs/benchmarks.md, "The counter app"). Without it, WebKit paints
    // only on change, so a WebDriver snapshot of an idle page must prompt a frame (the tests'
    // driver does).
    // Set before any thread exists; someone who sets it themselves keeps their choice.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        // SAFETY: the first thing main does, while this is the only thread.
        unsafe { std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1") };
    }
    tillbook_app::run();
}
