// ColorScale: the report's colours: a sequential scale (viridis, perceptually uniform and
// readable in grey) for metric values, and a categorical palette for highlighted trials.

enum ColorScale {
    /// Viridis sampled at nine evenly spaced stops (matplotlib's values), dark purple → yellow.
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
        (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]

    /// The viridis colour at `t` in [0, 1] (clamped; NaN gives the low end), as `#rrggbb`.
    static func sequential(_ t: Double) -> String {
        let (r, g, b) = sequentialRGB(t)
        return hex(r, g, b)
    }

    /// The same colour as components 0…255 (unrounded), for pictures drawn as pixels.
    static func sequentialRGB(_ t: Double) -> (Double, Double, Double) {
        let t = t.isNaN ? 0 : min(max(t, 0), 1)
        let x = t * Double(viridis.count - 1)
        let i = min(Int(x), viridis.count - 2), f = x - Double(i)
        let (a, b) = (viridis[i], viridis[i + 1])
        return (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
    }

    /// Distinct colours for the top trials (Tableau 10's first five).
    static let highlight = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd"]

    /// Trials that are not highlighted.
    static let muted = "#8c96a0"

    static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        "#" + [r, g, b].map { String(byte($0), radix: 16).leftPadded(2) }.joined()
    }

    static func byte(_ v: Double) -> Int { min(max(Int(v.rounded()), 0), 255) }
}

extension String {
    /// The string padded on the left with `pad` to at least `width` characters.
    func leftPadded(_ width: Int, _ pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
