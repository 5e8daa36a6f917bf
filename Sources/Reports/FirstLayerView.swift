// FirstLayerView: a trial's first weight layer as pictures: the first conv2d's filters (one tile
// per output channel and input channel, kh × kw) or the first dense layer's weights into each
// unit reshaped to the image (one tile per unit and channel). Found in a checkpoint's tensors by
// name and shape; Reports decodes no checkpoint itself (the CLI passes the tensors as values).

/// Tiles of a first layer's weights, each drawn on its own symmetric range around 0.
public struct FirstLayerView: Sendable, Equatable {
    public enum Kind: String, Sendable { case conv2d, dense }

    /// One named tensor of a checkpoint, in the checkpoint's order.
    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var data: [Float]

        public init(name: String, shape: [Int], data: [Float]) {
            self.name = name
            self.shape = shape
            self.data = data
        }
    }

    /// One filter (or one unit's weights on one channel), `height × width` values row by row.
    public struct Tile: Sendable, Equatable {
        public var unit: Int
        public var channel: Int
        public var values: [Float]
    }

    public var trial: Int
    public var kind: Kind
    /// The checkpoint tensor's name and shape (`0.weight`, [O, KH, KW, C] or [inputs, units]).
    public var tensorName: String
    public var shape: [Int]
    public var tileWidth: Int
    public var tileHeight: Int
    /// At most `limit` tiles (unit-major, then channel).
    public var tiles: [Tile]
    /// Tiles the layer has in all (units × channels).
    public var total: Int

    /// The most tiles drawn.
    public static let limit = 64

    /// The first weight tensor of `tensors` (checkpoint order, buffers and non-weights skipped)
    /// that is a conv2d kernel [O, KH, KW, C] with C the image's channels, or a dense weight
    /// [H·W·C, units]; nil when the first weight is neither (an embedding, a reshape the tiles
    /// could not follow) or `imageShape` is not [H, W, C].
    public static func first(of tensors: [Tensor], imageShape: [Int], trial: Int, limit: Int = limit) -> FirstLayerView? {
        guard imageShape.count == 3, let t = tensors.first(where: { !$0.name.hasPrefix("buffer:") && $0.name.hasSuffix("weight") && $0.shape.count >= 2 })
        else { return nil }
        let (h, w, c) = (imageShape[0], imageShape[1], imageShape[2])
        var tiles: [Tile] = []
        if t.shape.count == 4, t.shape[3] == c, t.data.count == t.shape.reduce(1, *) {
            let (o, kh, kw) = (t.shape[0], t.shape[1], t.shape[2])
            outer: for u in 0..<o {
                for ch in 0..<c {
                    if tiles.count == limit { break outer }
                    var v = [Float](repeating: 0, count: kh * kw)
                    for y in 0..<kh { for x in 0..<kw { v[y * kw + x] = t.data[((u * kh + y) * kw + x) * c + ch] } }
                    tiles.append(Tile(unit: u, channel: ch, values: v))
                }
            }
            return FirstLayerView(trial: trial, kind: .conv2d, tensorName: t.name, shape: t.shape, tileWidth: kw, tileHeight: kh,
                                  tiles: tiles, total: o * c)
        }
        if t.shape.count == 2, t.shape[0] == h * w * c, t.data.count == t.shape[0] * t.shape[1] {
            let units = t.shape[1]
            outer: for u in 0..<units {
                for ch in 0..<c {
                    if tiles.count == limit { break outer }
                    // Input feature (y, x, ch) is row (y·W + x)·C + ch of the [inputs, units] matrix.
                    let v = (0..<(h * w)).map { p in t.data[(p * c + ch) * units + u] }
                    tiles.append(Tile(unit: u, channel: ch, values: v))
                }
            }
            return FirstLayerView(trial: trial, kind: .dense, tensorName: t.name, shape: t.shape, tileWidth: w, tileHeight: h,
                                  tiles: tiles, total: units * c)
        }
        return nil
    }

    /// `values` mapped to bytes on [−m, m], m their largest magnitude: 0 is mid-grey, white positive.
    static func bytes(_ values: [Float]) -> [UInt8] {
        let m = values.lazy.filter(\.isFinite).map(abs).max() ?? 0
        return PNGWriter.bytes(values, low: -max(m, .leastNormalMagnitude), high: max(m, .leastNormalMagnitude))
    }
}
