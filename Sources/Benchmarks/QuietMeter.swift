// QuietMeter: how much CPU *other* processes used while a timing ran (Linux /proc/stat), so that
// benchmark windows disturbed by the rest of a shared machine can be left out — the same rule
// the anchors follow, so figures compare like with like.
import Foundation

public struct QuietMeter {
    private let wall0: DispatchTime
    private let busy0: Double
    private let own0: Double

    public init() {
        wall0 = .now()
        busy0 = QuietMeter.busySeconds()
        own0 = QuietMeter.ownSeconds()
    }

    /// (wall seconds, mean number of cores other processes kept busy) since `init`.
    public func stop() -> (wall: Double, otherCores: Double) {
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wall0.uptimeNanoseconds) / 1e9
        let other = (QuietMeter.busySeconds() - busy0) - (QuietMeter.ownSeconds() - own0)
        return (wall, wall > 0 ? max(0, other / wall) : 0)
    }

    /// Busy CPU seconds of the whole machine (user, nice, system, irq, softirq, steal).
    static func busySeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return 0 }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 8 else { return 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / ticks
    }

    /// CPU seconds this process used (all threads).
    static func ownSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(u.ru_utime) + s(u.ru_stime)
    }

    /// Waits (up to `maxWait` seconds) until others use fewer than `threshold` cores over a
    /// `window`-second probe.
    public static func waitQuiet(threshold: Double = 0.05, window: Double = 0.5, maxWait: Double = 30) {
        let start = DispatchTime.now()
        while true {
            let m = QuietMeter()
            usleep(UInt32(window * 1e6))
            let (_, others) = m.stop()
            let waited = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            if others < threshold || waited > maxWait { return }
        }
    }
}
