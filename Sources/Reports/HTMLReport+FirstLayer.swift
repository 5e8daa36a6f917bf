// The report's "First layer" section: the best trial's first conv2d filters, or its first dense
// layer's weights into each unit reshaped to the image, as one greyscale PNG grid (at most
// FirstLayerView.limit tiles), each tile scaled to its own symmetric range around 0.

extension HTMLReport {
    /// The whole section; empty when it does not apply (no insight gathered, or data that are
    /// not images and no note saying why).
    static func firstLayerSection(_ input: ReportInput) -> String {
        guard let insight = input.insight else { return "" }
        guard let view = insight.firstLayer else {
            return insight.firstLayerNote.map { section("First layer", "<p class=\"note\">" + Markup.escape($0) + "</p>\n") } ?? ""
        }
        return section("First layer", firstLayer(view))
    }

    static func firstLayer(_ v: FirstLayerView) -> String {
        let e = Markup.escape
        guard !v.tiles.isEmpty else { return "<p class=\"note\">The layer has no weights to draw.</p>\n" }
        let scale = max(2, Int((48.0 / Double(max(v.tileWidth, v.tileHeight, 1))).rounded(.up)))
        let columns = min(8, v.tiles.count)
        let png = PNGWriter.grid(tiles: v.tiles.map { FirstLayerView.bytes($0.values) }, tileWidth: v.tileWidth, tileHeight: v.tileHeight,
                                 columns: columns, scale: 1, gap: 1, background: 255)
        let what = v.kind == .conv2d
            ? "the first conv2d layer's filters (\(e(v.tensorName)), shape \(v.shape.map(String.init).joined(separator: "×")): one \(v.tileHeight)×\(v.tileWidth) tile per output channel and input channel)"
            : "the first dense layer's weights (\(e(v.tensorName)), shape \(v.shape.map(String.init).joined(separator: "×"))): each unit's weights on the input reshaped to the \(v.tileHeight)×\(v.tileWidth) image, one tile per unit and channel"
        var s = "<p>Trial \(v.trial) (the best), from its stored checkpoint: \(what).</p>\n"
        s += "<div class=\"charts\">" + image(png, scale: scale, cssClass: "first-layer", alt: "first-layer weights of trial \(v.trial)",
                                              extra: " data-tiles=\"\(v.tiles.count)\"") + "</div>\n"
        s += "<p class=\"note\">Each tile is scaled to its own symmetric range around 0: mid-grey is 0, white the tile's largest positive "
            + "weight, black its most negative of the same size; so compare shapes, not brightness, across tiles. Tiles run left to right by unit"
            + (v.tiles.count < v.total ? "; the first \(v.tiles.count) of \(v.total) are shown" : "") + ".</p>\n"
        return s
    }
}
