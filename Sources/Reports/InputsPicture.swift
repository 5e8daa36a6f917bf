// InputsPicture: `check/inputs.png`, a batch of model inputs drawn as pixels, and its sidecar
// `check/inputs.json`. Images (an image shape [H, W, C]) become a grid of tiles, one per example,
// with its label drawn under it; tables become a heat map, one row per example and one column
// per feature, with the label to the right of each row. Both map the batch's values linearly to
// grey levels over the batch's own range (see `Sidecar.mapping`), so the picture decodes back to
// the tensor up to that rounding.
import Foundation

public struct InputsPicture: Sendable {
    /// What `inputs.json` holds: enough to find every example's pixels in `inputs.png` and map
    /// them back to tensor values.
    public struct Sidecar: Codable, Sendable, Equatable {
        /// "image" (a grid of tiles) or "table" (a heat map).
        public var kind: String
        /// The batch tensor's shape as the model receives it: [examples, features].
        public var shape: [Int]
        /// [H, W, C] of each example (NHWC) for images; nil for tables.
        public var imageShape: [Int]?
        /// The batch's smallest and largest finite value: grey 0 and 255.
        public var low: Double
        public var high: Double
        /// The value-to-grey rule, in words.
        public var mapping: String
        /// Examples drawn (the first `examplesShown` rows of the batch) and features drawn
        /// (tables: the first `featuresShown` columns).
        public var examplesShown: Int
        public var featuresShown: Int
        /// Per drawn example: the class index (classification; nil for regression), the text drawn
        /// beside it, and its index in the training split.
        public var labels: [Int]?
        public var labelText: [String]
        public var classNames: [String]
        public var indices: [Int]
        /// Layout. Images: tile k (row-major in a grid `columns` wide) starts at pixel
        /// (gap + (k % columns)·(tileWidth + gap), gap + (k / columns)·(tileHeight + gap)); its
        /// image pixel (y, x) of channel c fills a `scale`×`scale` block at tile offset
        /// (x·scale + channelOffset(c)·scale, y·scale) where channelOffset is 0 for C = 1 or 3
        /// (grey or RGB) and c·(W + 1) otherwise (channels side by side, grey). Tables: example
        /// k's feature j is the `cellWidth`×`cellHeight` block at (gap + j·cellWidth, gap + k·cellHeight).
        public var scale: Int
        public var columns: Int
        public var gap: Int
        public var tileWidth: Int
        public var tileHeight: Int
        public var cellWidth: Int
        public var cellHeight: Int
        /// "grey" or "rgb".
        public var colour: String
        /// Free-form facts the caller adds (seed, augmentation, where the batch comes from).
        public var notes: [String: String]

        enum CodingKeys: String, CodingKey {
            case kind, shape, low, high, mapping, labels, indices, scale, columns, gap, colour, notes
            case imageShape = "image_shape", examplesShown = "examples_shown", featuresShown = "features_shown"
            case labelText = "label_text", classNames = "class_names", tileWidth = "tile_width", tileHeight = "tile_height"
            case cellWidth = "cell_width", cellHeight = "cell_height"
        }
    }

    public var png: PNGWriter
    public var sidecar: Sidecar

    /// Examples drawn at most, and table features drawn at most.
    public static let maxExamples = 64
    public static let maxFeatures = 256
    static let gap = 2

    /// The picture of a batch: `values` row-major [count, featureCount] as the model receives
    /// them; `imageShape` [H, W, C] with H·W·C = featureCount for images, nil for a table;
    /// `labels` the class indices (nil for regression); `labelText` what to draw beside each
    /// example (digits, '.', '-', '+', 'e'; other characters draw blank); `indices` the examples'
    /// rows in the training split.
    public init(values: [Float], count: Int, featureCount: Int, imageShape: [Int]?, labels: [Int]?, labelText: [String],
                classNames: [String], indices: [Int], notes: [String: String] = [:]) {
        precondition(count > 0 && values.count == count * featureCount && labelText.count == count && indices.count == count,
                     "a batch of \(count) × \(featureCount) values with a label and an index per example")
        let finite = values.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 0
        let shown = min(count, Self.maxExamples)
        let mapping = "grey = round((value − low) / (high − low) × 255), clamped to 0…255 (high = low: (value − low) × 255); NaN and ±inf are 0. "
            + "low and high are the whole batch's smallest and largest finite values."
        var s = Sidecar(kind: "table", shape: [count, featureCount], imageShape: imageShape, low: Double(low), high: Double(high), mapping: mapping,
                        examplesShown: shown, featuresShown: featureCount, labels: labels.map { Array($0.prefix(shown)) },
                        labelText: Array(labelText.prefix(shown)), classNames: classNames, indices: Array(indices.prefix(shown)),
                        scale: 1, columns: 1, gap: Self.gap, tileWidth: 0, tileHeight: 0, cellWidth: 0, cellHeight: 0, colour: "grey", notes: notes)
        let grey = PNGWriter.bytes(Array(values.prefix(shown * featureCount)), low: low, high: high)
        if let shape = imageShape, shape.count == 3, shape.reduce(1, *) == featureCount {
            s.kind = "image"
            png = Self.tiles(grey, shown: shown, shape: shape, labelText: s.labelText, sidecar: &s)
        } else {
            s.imageShape = nil
            png = Self.heatMap(grey, shown: shown, featureCount: featureCount, labelText: s.labelText, sidecar: &s)
        }
        sidecar = s
    }

    /// One tile per example, its label under it.
    static func tiles(_ grey: [UInt8], shown: Int, shape: [Int], labelText: [String], sidecar s: inout Sidecar) -> PNGWriter {
        let (h, w, c) = (shape[0], shape[1], shape[2])
        let rgb = c == 3
        let channels = rgb ? 3 : 1
        let imageWidth = rgb || c == 1 ? w : c * w + (c - 1)
        let textWidth = labelText.map(TinyFont.width).max() ?? 0
        let tileW = max(imageWidth, textWidth), tileH = h + 2 + TinyFont.glyphHeight
        let scale = max(h, imageWidth) <= 32 ? 3 : max(h, imageWidth) <= 96 ? 2 : 1
        var tiles: [[UInt8]] = []
        for k in 0..<shown {
            var tile = [UInt8](repeating: 255, count: tileW * tileH * channels)
            let example = grey[(k * h * w * c)..<((k + 1) * h * w * c)]
            for y in 0..<h {
                for x in 0..<w {
                    for ch in 0..<c {
                        let v = example[example.startIndex + (y * w + x) * c + ch]
                        if rgb { tile[(y * tileW + x) * 3 + ch] = v } else { tile[y * tileW + x + ch * (w + 1)] = v }
                    }
                }
            }
            TinyFont.draw(labelText[k], into: &tile, width: tileW, channels: channels, x: 0, y: h + 1)
            tiles.append(tile)
        }
        let columns = min(shown, Int(Double(shown).squareRoot().rounded(.up)))
        s.scale = scale
        s.columns = columns
        s.tileWidth = tileW * scale
        s.tileHeight = tileH * scale
        s.colour = rgb ? "rgb" : "grey"
        return PNGWriter.grid(tiles: tiles, tileWidth: tileW, tileHeight: tileH, columns: columns, scale: scale, gap: gap,
                              background: 255, colour: rgb ? .rgb : .grey)
    }

    /// One row of cells per example (the first `maxFeatures` features), its label to the right.
    static func heatMap(_ grey: [UInt8], shown: Int, featureCount: Int, labelText: [String], sidecar s: inout Sidecar) -> PNGWriter {
        let features = min(featureCount, maxFeatures)
        let cellW = max(2, min(12, 512 / features)), cellH = TinyFont.glyphHeight + 2
        let textWidth = labelText.map(TinyFont.width).max() ?? 0
        let width = gap + features * cellW + 2 * gap + textWidth + gap, height = gap + shown * cellH + gap
        var pixels = [UInt8](repeating: 255, count: width * height)
        for k in 0..<shown {
            for j in 0..<features {
                let v = grey[k * featureCount + j]
                for dy in 0..<cellH {
                    let row = (gap + k * cellH + dy) * width + gap + j * cellW
                    for dx in 0..<cellW { pixels[row + dx] = v }
                }
            }
            TinyFont.draw(labelText[k], into: &pixels, width: width, x: gap + features * cellW + 2 * gap, y: gap + k * cellH + 1)
        }
        s.featuresShown = features
        s.cellWidth = cellW
        s.cellHeight = cellH
        return PNGWriter(width: width, height: height, pixels: pixels)
    }

    /// The sidecar as one line of key-sorted JSON.
    public func sidecarJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(sidecar)
    }
}
