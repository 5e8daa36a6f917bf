// Allocator: keeps glibc from returning large freed blocks to the kernel. Training allocates
// the same large buffers every step; by default glibc serves blocks ≥ 128 KiB with mmap and
// unmaps them on free, so every step pays page faults and kernel zeroing (seen here as
// clear_page in perf profiles of an MLP step).

#if os(Linux)
/// glibc's mallopt(3); <malloc.h> is not part of Swift's Glibc module.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

public enum Allocator {
    /// Serve allocations up to 32 MiB (glibc's maximum for this setting) from the heap and never trim it. Call once at start-up.
    public static func keepFreedMemory() {
        #if os(Linux)
        let mTrimThreshold: Int32 = -1, mMmapThreshold: Int32 = -3  // values from <malloc.h>
        _ = glibcMallopt(mMmapThreshold, 32 << 20)
        _ = glibcMallopt(mTrimThreshold, Int32.max)
        #endif
    }
}
