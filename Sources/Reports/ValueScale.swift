// ValueScale: maps data values onto [0, 1] along a chart axis, linearly or on a log scale, with
// the tick marks to label it.
import Foundation

struct ValueScale {
    /// The covered range in data units (lo < hi; both > 0 when `log`).
    var lo: Double
    var hi: Double
    var log: Bool

    /// The smallest range holding every finite value of `values` (positive ones only when `log`),
    /// widened by `pad` of its span on each side; a sensible unit range when nothing is left, and
    /// around a single value.
    init(covering values: [Double], log: Bool, pad: Double = 0) {
        self.log = log
        let usable = values.filter { $0.isFinite && (!log || $0 > 0) }.map { log ? Foundation.log10($0) : $0 }
        var a = usable.min() ?? 0, b = usable.max() ?? 1
        if b <= a {
            let half = log ? 0.5 : max(abs(a) * 0.1, 0.5)
            (a, b) = (a - half, a + half)
        }
        let p = (b - a) * pad
        a -= p; b += p
        lo = log ? Foundation.pow(10, a) : a
        hi = log ? Foundation.pow(10, b) : b
    }

    private func t(_ v: Double) -> Double { log ? Foundation.log10(v) : v }

    /// The position of `v` in [0, 1] (outside it when `v` is out of range; NaN for non-finite
    /// values and, on a log scale, for v ≤ 0).
    func unit(_ v: Double) -> Double {
        guard v.isFinite, !log || v > 0 else { return .nan }
        return (t(v) - t(lo)) / (t(hi) - t(lo))
    }

    /// Tick positions and labels: 1-2-5 steps when linear; decades on a log scale, or 1-2-5 times
    /// each decade when the range spans less than two decades.
    func ticks() -> [(unit: Double, label: String)] {
        guard log else { return LinePlot.ticks(lo, hi).map { (unit($0), LinePlot.label($0)) } }
        let d0 = Int(Foundation.floor(t(lo))), d1 = Int(Foundation.ceil(t(hi)))
        let mantissas: [Double] = d1 - d0 <= 2 ? [1, 2, 5] : [1]
        var out: [(unit: Double, label: String)] = []
        for d in d0...max(d0, d1) {
            for m in mantissas {
                let v = m * Foundation.pow(10, Double(d))
                let u = unit(v)
                if u >= -1e-9 && u <= 1 + 1e-9 { out.append((u, LinePlot.label(v))) }
            }
        }
        return out
    }
}
