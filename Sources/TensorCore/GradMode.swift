// GradMode: whether operations record the graph. Off inside `Tensor.withoutGrad`, where
// evaluation allocates no tape (no parents, no backward closures).
import Foundation

/// Per-thread switch for graph recording.
public enum GradMode {
    private final class Box { var enabled = true }
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { ptr in if let ptr { Unmanaged<AnyObject>.fromOpaque(ptr).release() } }
        return k
    }()

    private static var box: Box {
        if let p = pthread_getspecific(key) {
            return Unmanaged<Box>.fromOpaque(p).takeUnretainedValue()
        }
        let b = Box()
        pthread_setspecific(key, Unmanaged.passRetained(b).toOpaque())
        return b
    }

    /// True when operations on this thread record the graph (the default).
    public static var isEnabled: Bool {
        get { box.enabled }
        set { box.enabled = newValue }
    }
}

extension Tensor {
    /// Runs `body` with graph recording off on this thread: no-grad evaluation.
    public static func withoutGrad<R>(_ body: () throws -> R) rethrows -> R {
        let previous = GradMode.isEnabled
        GradMode.isEnabled = false
        defer { GradMode.isEnabled = previous }
        return try body()
    }
}
