// FeatureDistributions: `check/distributions.svg`, one small histogram per input feature (as the
// model sees it: standardised, imputed, one-hot) with the training, validation and test splits
// overlaid, and a last panel with the labels (class shares, or a histogram of the first target
// in its own units). A standalone SVG file that is also well-formed XML to inline in the report.
import Foundation

public enum FeatureDistributions {
    /// One split's rows.
    public struct Split: Sendable {
        public var name: String
        /// Row-major [rows, featureCount].
        public var features: [Float]
        /// Class indices (classification), empty for regression.
        public var labels: [Int]
        /// The first regression target of every row in its own units; nil for classification.
        public var targets: [Double]?

        public init(name: String, features: [Float], labels: [Int], targets: [Double]? = nil) {
            self.name = name
            self.features = features
            self.labels = labels
            self.targets = targets
        }
    }

    /// Features drawn at most (the first ones, in input order).
    public static let maxFeatures = 32
    static let bins = 24
    static let colours = ["#1f77b4", "#ff7f0e", "#2ca02c"]
    static let panelWidth = 230.0, panelHeight = 120.0, columns = 4

    /// The figure for `splits` (train, validation, test: at most three, coloured in that order).
    /// `featureNames` names the model's inputs (`featureCount` of them); `targetName` names the
    /// regression target drawn, nil for classification (then `classNames` label the classes).
    public static func svg(featureNames: [String], featureCount: Int, splits: [Split], classNames: [String], targetName: String?) -> String {
        let e = Markup.escape, p = Markup.px
        let drawn = min(featureCount, maxFeatures)
        let panels = drawn + 1
        let rows = (panels + columns - 1) / columns
        let width = Double(columns) * panelWidth + 20, height = 64 + Double(rows) * panelHeight + 10
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart distributions\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"white\"/>\n"
        let shownText = drawn < featureCount ? "the first \(drawn) of \(featureCount) features" : "all \(featureCount) features"
        s += "<text x=\"10\" y=\"18\" font-size=\"13\">Input distributions as the model sees them: \(e(shownText)), \(bins) bins each; "
            + "y = share of the split's rows per bin</text>\n"
        var x = 10.0
        for (i, split) in splits.prefix(3).enumerated() {
            let rowsCount = split.labels.count > 0 ? split.labels.count : split.features.count / max(featureCount, 1)
            s += "<rect x=\"\(p(x))\" y=\"30\" width=\"12\" height=\"10\" fill=\"\(colours[i])\"/>"
            let label = "\(split.name) (\(rowsCount) rows)"
            s += "<text x=\"\(p(x + 16))\" y=\"39\">\(e(label))</text>\n"
            x += 16 + Double(label.count) * 6.5 + 18
        }
        for j in 0..<drawn {
            let name = j < featureNames.count ? featureNames[j] : "x[\(j)]"
            let columnValues = splits.prefix(3).map { split in
                stride(from: j, to: split.features.count, by: max(featureCount, 1)).map { Double(split.features[$0]) }
            }
            s += histogramPanel(index: j, title: name, values: columnValues)
        }
        s += labelPanel(index: drawn, splits: Array(splits.prefix(3)), classNames: classNames, targetName: targetName)
        return s + "</svg>\n"
    }

    /// Top-left corner of panel `index`.
    static func origin(_ index: Int) -> (x: Double, y: Double) {
        (10 + Double(index % columns) * panelWidth, 54 + Double(index / columns) * panelHeight)
    }

    /// A histogram panel: one step line per split over the splits' common finite range.
    static func histogramPanel(index: Int, title: String, values: [[Double]]) -> String {
        let e = Markup.escape, p = Markup.px
        let (ox, oy) = origin(index)
        let plotX = ox + 6, plotY = oy + 20, plotW = panelWidth - 22, plotH = panelHeight - 50
        let finite = values.flatMap { $0.filter(\.isFinite) }
        let lo = finite.min() ?? 0, hi = finite.max() ?? 0
        let nonFinite = values.reduce(0) { $0 + $1.filter { !$0.isFinite }.count }
        var s = "<g class=\"feature\" data-feature=\"\(index)\">"
        let shortTitle = title.count > 34 ? String(title.prefix(33)) + "…" : title
        s += "<text x=\"\(p(ox + 6))\" y=\"\(p(oy + 14))\" font-weight=\"bold\">\(e(shortTitle))</text>"
        s += "<rect x=\"\(p(plotX))\" y=\"\(p(plotY))\" width=\"\(p(plotW))\" height=\"\(p(plotH))\" fill=\"none\" stroke=\"#ccc\"/>"
        let shares = values.map { share(of: $0, lo: lo, hi: hi) }
        let top = max(shares.flatMap { $0 }.max() ?? 0, 1e-12)
        for (i, bins) in shares.enumerated() where !bins.isEmpty {
            var d = ""
            for (b, v) in bins.enumerated() {
                let x0 = plotX + plotW * Double(b) / Double(bins.count), x1 = plotX + plotW * Double(b + 1) / Double(bins.count)
                let y = plotY + plotH * (1 - v / top)
                d += (b == 0 ? "M\(p(x0)) \(p(y))" : " L\(p(x0)) \(p(y))") + " L\(p(x1)) \(p(y))"
            }
            s += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(colours[i])\" stroke-width=\"1.2\"/>"
        }
        let axis = "\(Markup.value(lo)) … \(Markup.value(hi))" + (nonFinite > 0 ? " (\(nonFinite) NaN/inf)" : "")
        s += "<text x=\"\(p(plotX))\" y=\"\(p(plotY + plotH + 13))\">\(e(axis))</text>"
        s += peak(top, x: plotX + plotW, y: plotY + plotH + 13)
        return s + "</g>\n"
    }

    /// The panel's y scale: the top of the box is the largest share drawn.
    static func peak(_ top: Double, x: Double, y: Double) -> String {
        "<text x=\"\(Markup.px(x))\" y=\"\(Markup.px(y))\" text-anchor=\"end\" fill=\"#666\">top \(Markup.value(top * 100))%</text>"
    }

    /// Shares of `values`' finite entries in `bins` equal bins over [lo, hi] (one bin when hi = lo).
    static func share(of values: [Double], lo: Double, hi: Double) -> [Double] {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { return [] }
        let n = hi > lo ? bins : 1
        var counts = [Double](repeating: 0, count: n)
        for v in finite { counts[min(n - 1, max(0, Int((v - lo) / (hi - lo) * Double(n))))] += 1 }
        return counts.map { $0 / Double(finite.count) }
    }

    /// The labels: each split's share of rows per class (side-by-side bars), or a histogram of
    /// the first regression target.
    static func labelPanel(index: Int, splits: [Split], classNames: [String], targetName: String?) -> String {
        if let targetName {
            return histogramPanel(index: index, title: "target \(targetName)", values: splits.map { $0.targets ?? [] })
                .replacingOccurrences(of: "class=\"feature\" data-feature=\"\(index)\"", with: "class=\"labels\"")
        }
        let e = Markup.escape, p = Markup.px
        let (ox, oy) = origin(index)
        let plotX = ox + 6, plotY = oy + 20, plotW = panelWidth - 22, plotH = panelHeight - 50
        let classes = max(classNames.count, (splits.flatMap(\.labels).max() ?? -1) + 1)
        let drawn = min(classes, 50)
        var s = "<g class=\"labels\">"
        s += "<text x=\"\(p(ox + 6))\" y=\"\(p(oy + 14))\" font-weight=\"bold\">labels: share per class"
            + (drawn < classes ? " (first \(drawn) of \(classes))" : "") + "</text>"
        s += "<rect x=\"\(p(plotX))\" y=\"\(p(plotY))\" width=\"\(p(plotW))\" height=\"\(p(plotH))\" fill=\"none\" stroke=\"#ccc\"/>"
        let shares: [[Double]] = splits.map { split in
            var c = [Double](repeating: 0, count: classes)
            for l in split.labels where l >= 0 && l < classes { c[l] += 1 }
            return c.map { $0 / Double(max(split.labels.count, 1)) }
        }
        let top = max(shares.flatMap { $0 }.max() ?? 0, 1e-12)
        let group = plotW / Double(max(drawn, 1)), bar = group / Double(max(splits.count, 1) + 1)
        for k in 0..<drawn {
            for (i, split) in shares.enumerated() {
                let h = plotH * split[k] / top
                let name = k < classNames.count ? classNames[k] : String(k)
                s += "<rect x=\"\(p(plotX + Double(k) * group + Double(i) * bar + bar / 2))\" y=\"\(p(plotY + plotH - h))\" width=\"\(p(bar))\" "
                    + "height=\"\(p(h))\" fill=\"\(colours[i])\"><title>\(e(splits[i].name)): class \(k) \(e(name)) \(Markup.value(split[k] * 100))%</title></rect>"
            }
        }
        s += "<text x=\"\(p(plotX))\" y=\"\(p(plotY + plotH + 13))\">classes 0 … \(drawn - 1)</text>"
        s += peak(top, x: plotX + plotW, y: plotY + plotH + 13)
        return s + "</g>\n"
    }
}
