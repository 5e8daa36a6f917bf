// LinePlot: a self-contained SVG line chart (axes, ticks, optional log x axis, markers), with no
// scripts and nothing fetched: it opens in any browser and embeds in an HTML report.
import Foundation

public struct LinePlot: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var color: String
        public var width: Double
        public init(name: String, points: [(x: Double, y: Double)], color: String = "#1f77b4", width: Double = 1.5) {
            self.name = name
            self.points = points
            self.color = color
            self.width = width
        }
    }

    /// A vertical line marking one x value (a suggestion, a best epoch).
    public struct Marker: Sendable {
        public var x: Double
        public var label: String
        public var color: String
        public init(x: Double, label: String, color: String = "#d62728") {
            self.x = x
            self.label = label
            self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logX = false
    public var series: [Series] = []
    public var markers: [Marker] = []
    /// Clip the y axis to this range (a diverging tail would flatten the rest).
    public var yRange: ClosedRange<Double>?
    public var width = 640.0
    public var height = 400.0

    public init(title: String, xLabel: String, yLabel: String, logX: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logX = logX
    }

    static func escape(_ s: String) -> String { Markup.escape(s) }

    /// "Nice" tick values covering lo…hi (1, 2, 5 × 10ᵏ steps).
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let mag = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = Foundation.ceil(lo / step) * step, out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    static func label(_ v: Double) -> String {
        let a = abs(v)
        if a != 0 && (a < 1e-3 || a >= 1e5) { return String(format: "%.0e", v) }
        return String(format: "%g", (v * 1e6).rounded() / 1e6)
    }

    /// The chart as an `<svg>` element.
    public func svg() -> String {
        let left = 64.0, right = 16.0, top = 32.0, bottom = 48.0
        let pw = width - left - right, ph = height - top - bottom
        let fx: (Double) -> Double = logX ? { Foundation.log10($0) } : { $0 }
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }
        var x0 = finite.map { fx($0.x) }.min() ?? 0, x1 = finite.map { fx($0.x) }.max() ?? 1
        var y0 = yRange?.lowerBound ?? finite.map(\.y).min() ?? 0, y1 = yRange?.upperBound ?? finite.map(\.y).max() ?? 1
        if x1 <= x0 { x0 -= 0.5; x1 += 0.5 }
        if y1 <= y0 { y0 -= 0.5; y1 += 0.5 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        func px(_ x: Double) -> Double { left + (fx(x) - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + (1 - (min(max(y, y0), y1) - y0) / (y1 - y0)) * ph }
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="18" text-anchor="middle" font-size="13">\(Self.escape(title))</text>

        """
        // Axes and ticks.
        s += "<g stroke=\"#999\" fill=\"none\"><rect x=\"\(left)\" y=\"\(top)\" width=\"\(pw)\" height=\"\(ph)\"/></g>\n"
        let xTicks = logX ? Array(Int(Foundation.ceil(x0))...max(Int(Foundation.ceil(x0)), Int(Foundation.floor(x1)))).map { Foundation.pow(10, Double($0)) }
                          : Self.ticks(x0, x1)
        for t in xTicks where fx(t) >= x0 - 1e-9 && fx(t) <= x1 + 1e-9 {
            let x = px(t)
            s += "<line x1=\"\(x)\" y1=\"\(top + ph)\" x2=\"\(x)\" y2=\"\(top + ph + 4)\" stroke=\"#999\"/>"
            s += "<text x=\"\(x)\" y=\"\(top + ph + 16)\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
        }
        for t in Self.ticks(y0, y1) {
            let y = py(t)
            s += "<line x1=\"\(left - 4)\" y1=\"\(y)\" x2=\"\(left + pw)\" y2=\"\(y)\" stroke=\"#eee\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(Self.label(t))</text>\n"
        }
        s += "<text x=\"\(left + pw / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(14 \(top + ph / 2)) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        // Series.
        for (i, line) in series.enumerated() {
            let pts = line.points.filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }
            guard !pts.isEmpty else { continue }
            let path = pts.map { String(format: "%.2f,%.2f", px($0.x), py($0.y)) }.joined(separator: " ")
            s += "<polyline class=\"series\" data-name=\"\(Self.escape(line.name))\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"\(line.width)\" points=\"\(path)\"/>\n"
            s += "<text x=\"\(left + 8)\" y=\"\(top + 14 + Double(i) * 14)\" fill=\"\(line.color)\">\(Self.escape(line.name))</text>\n"
        }
        for m in markers where m.x.isFinite && (!logX || m.x > 0) {
            let x = px(m.x)
            s += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(top + ph)\" stroke=\"\(m.color)\" stroke-dasharray=\"4 3\"/>"
            s += "<text x=\"\(x + 4)\" y=\"\(top + ph - 6)\" fill=\"\(m.color)\">\(Self.escape(m.label))</text>\n"
        }
        s += "</svg>\n"
        return s
    }
}
