// The report's "Where the model fails" section, on the validation split (the test split stays
// for evaluation): for classification each model's confusion matrix as a heat-mapped SVG table
// and the examples it gets most confidently wrong (images as small greyscale PNGs, table rows
// as their features); for regression the rows with the largest absolute errors.
import Foundation

extension HTMLReport {
    /// Wrong examples shown per model.
    static let failureExamples = 16
    /// Table columns shown per example row.
    static let failureFeatureColumns = 12

    /// The whole section: always shown, saying why when there is nothing to show.
    static func failuresSection(_ input: ReportInput) -> String {
        guard let insight = input.insight else {
            return section("Where the model fails", "<p class=\"note\">Not gathered: this page was rendered without the models' "
                           + "validation predictions (<code>hpsearch report RUN_DIR</code> gathers them).</p>\n")
        }
        guard let v = insight.validation else {
            return section("Where the model fails", "<p class=\"note\">" + Markup.escape(insight.validationNote ?? "No validation predictions to show.") + "</p>\n")
        }
        return section("Where the model fails", failures(v, note: insight.validationNote))
    }

    static func failures(_ v: ValidationView, note: String?) -> String {
        let e = Markup.escape
        let models = v.models.filter { $0.outputs.count == v.count * v.outputCount && v.count > 0 && v.outputCount > 0 }
        guard !models.isEmpty else { return "<p class=\"note\">No model's validation predictions match the validation split's size.</p>\n" }
        var s = "<p>On the validation split (\(v.count) rows; the test split is not read). " + e(v.featureNote) + "</p>\n"
        if let note { s += "<p class=\"note\">" + e(note) + "</p>\n" }
        if v.isRegression {
            for m in models {
                s += "<h3>\(e(m.name)): the \(min(failureExamples, v.count)) largest absolute errors</h3>\n" + largestErrors(v, m)
            }
            return s
        }
        s += "<div class=\"charts\">\n" + models.map { confusionSVG(v, $0) }.joined() + "</div>\n"
        s += "<p class=\"note\">Rows: true class; columns: predicted class (the most probable). Each cell holds its count; its colour is "
            + "the share of its row (the diagonal is each class's recall).</p>\n"
        for m in models {
            s += "<h3>\(e(m.name)): the examples it gets most confidently wrong (up to \(failureExamples))</h3>\n" + confidentlyWrong(v, m)
        }
        return s
    }

    /// A white → blue shade for a share in [0, 1].
    static func shade(_ t: Double) -> String {
        let t = t.isFinite ? min(max(t, 0), 1) : 0
        return ColorScale.hex(255 + (31 - 255) * t, 255 + (119 - 255) * t, 255 + (180 - 255) * t)
    }

    static func confusionSVG(_ v: ValidationView, _ model: ValidationView.Model) -> String {
        let e = Markup.escape, matrix = v.confusion(model), c = matrix.count
        let names = v.classNames.count == c ? v.classNames : (0..<c).map(String.init)
        let cell = c > 12 ? 26.0 : 40.0, left = 120.0, top = 110.0
        let width = left + Double(c) * cell + 70, height = top + Double(c) * cell + 30
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart confusion\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<text x=\"4\" y=\"14\" font-size=\"12\" font-weight=\"bold\">\(e(model.name))</text>\n"
        s += "<text x=\"4\" y=\"\(Markup.px(height - 8))\" fill=\"#666\">rows: true class · columns: predicted</text>\n"
        for (i, name) in names.enumerated() {
            let y = top + Double(i) * cell + cell / 2 + 4, x = left + Double(i) * cell + cell / 2
            s += "<text x=\"\(Markup.px(left - 6))\" y=\"\(Markup.px(y))\" text-anchor=\"end\">\(e(name))</text>"
            s += "<text x=\"\(Markup.px(x))\" y=\"\(Markup.px(top - 6))\" transform=\"rotate(-45 \(Markup.px(x)) \(Markup.px(top - 6)))\">\(e(name))</text>\n"
        }
        for (i, counts) in matrix.enumerated() {
            let total = counts.reduce(0, +)
            for (j, n) in counts.enumerated() {
                let share = total > 0 ? Double(n) / Double(total) : 0
                let x = left + Double(j) * cell, y = top + Double(i) * cell
                s += "<rect class=\"cell\" data-true=\"\(i)\" data-predicted=\"\(j)\" data-count=\"\(n)\" x=\"\(Markup.px(x))\" y=\"\(Markup.px(y))\" "
                    + "width=\"\(Markup.px(cell - 1))\" height=\"\(Markup.px(cell - 1))\" fill=\"\(shade(share))\""
                    + (i == j ? " stroke=\"#333\" stroke-width=\"1\"" : "") + "><title>\(e("true \(names[i]), predicted \(names[j]): \(n) of \(total)"))</title></rect>"
                if n > 0 {
                    s += "<text x=\"\(Markup.px(x + cell / 2))\" y=\"\(Markup.px(y + cell / 2 + 4))\" text-anchor=\"middle\" "
                        + "fill=\"\(share > 0.5 ? "#fff" : "#222")\">\(n)</text>"
                }
            }
            s += "\n"
        }
        return s + "</svg>\n"
    }

    /// One example's picture as a PNG at its own size (greyscale, or RGB for 3 channels), over
    /// `pixelRange` (else its own minimum…maximum); the page draws it larger, pixelated.
    static func picture(_ v: ValidationView, row r: Int) -> PNGWriter? {
        guard let shape = v.imageShape, shape.count == 3, shape[2] == 1 || shape[2] == 3, shape[0] * shape[1] * shape[2] == v.featureCount else { return nil }
        let values = Array(v.features(of: r)), finite = values.filter(\.isFinite)
        let range = v.pixelRange ?? ((finite.min() ?? 0)...(finite.max() ?? 1))
        return PNGWriter(width: shape[1], height: shape[0], colour: shape[2] == 3 ? .rgb : .grey,
                         pixels: PNGWriter.bytes(values, low: range.lowerBound, high: range.upperBound))
    }

    /// An `<img>` of `png` shown `scale` times its size with square pixels (small PNGs keep the page light).
    static func image(_ png: PNGWriter, scale: Int, cssClass: String, alt: String, extra: String = "") -> String {
        "<img class=\"\(cssClass)\" src=\"\(png.dataURI())\" alt=\"\(Markup.escape(alt))\" width=\"\(png.width * scale)\" height=\"\(png.height * scale)\" "
            + "style=\"image-rendering:pixelated\"\(extra)/>"
    }

    static func confidentlyWrong(_ v: ValidationView, _ m: ValidationView.Model) -> String {
        let e = Markup.escape, misses = v.confidentlyWrong(m, limit: failureExamples)
        guard !misses.isEmpty else { return "<p>It gets every validation example right.</p>\n" }
        func name(_ k: Int) -> String { v.classNames.indices.contains(k) ? v.classNames[k] : String(k) }
        if v.imageShape != nil, misses.allSatisfy({ picture(v, row: $0.row) != nil }) {
            // Twice their size, or more for small images: at least 56 pixels on the longer side.
            let scale = max(2, 56 / max(v.imageShape![0], v.imageShape![1], 1))
            var s = "<div class=\"charts wrong\">\n"
            for (rank, x) in misses.enumerated() {
                s += "<figure class=\"wrong\" data-row=\"\(x.row)\" data-rank=\"\(rank + 1)\" style=\"margin:4px;width:120px;font-size:11px\">"
                    + image(picture(v, row: x.row)!, scale: scale, cssClass: "example", alt: "validation row \(x.row)")
                    + "<figcaption>#\(x.row): true \(e(name(v.labels[x.row])))<br/>predicted \(e(name(x.predicted))) "
                    + String(format: "%.4g", x.score) + "</figcaption></figure>\n"
            }
            return s + "</div>\n"
        }
        let shownFeatures = min(v.featureCount, failureFeatureColumns)
        let featureNames = (0..<shownFeatures).map { v.featureNames.indices.contains($0) ? v.featureNames[$0] : "x[\($0)]" }
        var s = "<table class=\"wrong\">\n" + row(["rank", "row", "true", "predicted", "probability"] + featureNames.map(e), header: true)
        for (rank, x) in misses.enumerated() {
            let f = v.features(of: x.row).prefix(shownFeatures).map { Markup.value(Double($0)) }
            s += row([String(rank + 1), String(x.row), e(name(v.labels[x.row])), e(name(x.predicted)), String(format: "%.4g", x.score)] + f,
                     numeric: Set([0, 1, 4] + (0..<shownFeatures).map { $0 + 5 }), cssClass: "wrong")
        }
        s += "</table>\n"
        if v.featureCount > shownFeatures { s += "<p class=\"note\">The first \(shownFeatures) of \(v.featureCount) features are shown.</p>\n" }
        return s
    }

    static func largestErrors(_ v: ValidationView, _ m: ValidationView.Model) -> String {
        let e = Markup.escape, misses = v.largestErrors(m, limit: failureExamples), w = v.outputCount
        let shownFeatures = v.imageShape == nil ? min(v.featureCount, failureFeatureColumns) : 0
        let featureNames = (0..<shownFeatures).map { v.featureNames.indices.contains($0) ? v.featureNames[$0] : "x[\($0)]" }
        var header = ["rank", "row"]
        for t in v.targetNames { header += ["true " + e(t), "predicted " + e(t)] }
        var s = "<table class=\"errors\">\n" + row(header + ["|error|"] + featureNames.map(e), header: true)
        for (rank, x) in misses.enumerated() {
            var cells = [String(rank + 1), String(x.row)]
            for j in 0..<w { cells += [Markup.value(v.targets[x.row * w + j]), Markup.value(Double(m.outputs[x.row * w + j]))] }
            cells.append(Markup.value(x.score) + (w > 1 ? " (" + e(v.targetNames[x.predicted]) + ")" : ""))
            cells += v.features(of: x.row).prefix(shownFeatures).map { Markup.value(Double($0)) }
            s += row(cells, numeric: Set(0..<cells.count).subtracting([]), cssClass: "error")
        }
        s += "</table>\n<p class=\"note\">Targets and predictions in the targets' own units; a row's error is its largest over the targets."
        if v.featureCount > shownFeatures && shownFeatures > 0 { s += " The first \(shownFeatures) of \(v.featureCount) features are shown." }
        return s + "</p>\n"
    }
}
