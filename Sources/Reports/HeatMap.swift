// HeatMap: a layer × epoch grid of one statistic as an inline SVG whose cells are one small PNG
// (a pixel per cell, drawn pixelated), so a 20 × 30 grid costs a few hundred bytes rather than
// 600 SVG rectangles. Viridis colours over [low, high] on a log or linear scale; missing (NaN)
// cells grey.
import Foundation

struct HeatMap {
    var title: String
    /// rows × columns; NaN for no value.
    var values: [[Double]]
    var rowLabels: [String]
    var columnLabels: [String]
    /// log10 colour scale (values ≤ 0 count as missing).
    var logarithmic = true
    /// The colour scale's ends in the values' own units; nil: the values' finite min and max.
    var fixedRange: (Double, Double)? = nil
    /// Cell height; cells are wider when there are few epochs (up to 28 px), so the map stays readable.
    var cell = 14.0

    static let missing: (UInt8, UInt8, UInt8) = (221, 221, 221)

    /// The colour scale's ends: the finite values' min and max (in log10 for a log scale).
    var range: (Double, Double)? {
        if let fixedRange { return fixedRange }
        let v = values.joined().compactMap(transform)
        guard let lo = v.min(), let hi = v.max() else { return nil }
        return (lo, hi)
    }

    func transform(_ v: Double) -> Double? {
        guard v.isFinite else { return nil }
        if logarithmic { return v > 0 ? log10(v) : nil }
        return v
    }

    func svg() -> String {
        let rows = values.count, columns = values.map(\.count).max() ?? 0
        guard rows > 0, columns > 0 else { return "" }
        let (lo, hi) = range ?? (0, 1)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(rows * columns * 3)
        for r in 0..<rows {
            for c in 0..<columns {
                let v = c < values[r].count ? transform(values[r][c]) : nil
                if let v {
                    let (r, g, b) = ColorScale.sequentialRGB(hi > lo ? (v - lo) / (hi - lo) : 0.5)
                    pixels += [r, g, b].map { UInt8(ColorScale.byte($0)) }
                } else {
                    pixels += [Self.missing.0, Self.missing.1, Self.missing.2]
                }
            }
        }
        let png = PNGWriter(width: columns, height: rows, colour: .rgb, pixels: pixels)
        let e = Markup.escape, p = Markup.px
        let labelWidth = min(150, Double((rowLabels.map(\.count).max() ?? 4) * 6 + 10))
        let cellWidth = max(cell, min(28, 300 / Double(columns)))
        let left = labelWidth, top = 24.0, gridWidth = Double(columns) * cellWidth, gridHeight = Double(rows) * cell
        let width = max(left + gridWidth + 12, 290), height = top + gridHeight + 46
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart heatmap\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"10\">\n"
        s += "<text x=\"6\" y=\"14\" font-size=\"12\">\(e(title))</text>\n"
        s += "<image x=\"\(p(left))\" y=\"\(p(top))\" width=\"\(p(gridWidth))\" height=\"\(p(gridHeight))\" preserveAspectRatio=\"none\" "
            + "style=\"image-rendering:pixelated\" href=\"\(png.dataURI())\"/>\n"
        for (r, label) in rowLabels.enumerated() where r < rows {
            s += "<text x=\"\(p(left - 4))\" y=\"\(p(top + (Double(r) + 0.7) * cell))\" text-anchor=\"end\">\(e(label))</text>\n"
        }
        let step = max(1, columns / 10)
        for (c, label) in columnLabels.enumerated() where c < columns && (c % step == 0 || c == columns - 1) {
            s += "<text x=\"\(p(left + (Double(c) + 0.5) * cellWidth))\" y=\"\(p(top + gridHeight + 12))\" text-anchor=\"middle\">\(e(label))</text>\n"
        }
        let legend = range.map { lo, hi -> String in
            let f = { (v: Double) in logarithmic ? String(format: "%.3g", pow(10, v)) : String(format: "%.3g", v) }
            return "\(f(lo)) (dark) … \(f(hi)) (yellow)" + (logarithmic ? ", log scale" : "") + "; grey: none"
        } ?? "no finite values"
        s += "<text x=\"\(p(left + gridWidth / 2))\" y=\"\(p(top + gridHeight + 24))\" text-anchor=\"middle\">epoch</text>\n"
        s += "<text x=\"6\" y=\"\(p(top + gridHeight + 38))\">\(e(legend))</text>\n"
        return s + "</svg>\n"
    }
}
