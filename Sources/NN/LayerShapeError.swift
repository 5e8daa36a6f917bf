// LayerShapeError: a layer that cannot take its input, said in words a user can act on.
//
// Shapes here are one example's (the batch dimension left out: `[784]`, `[28, 28, 1]` for
// H, W, C) and are printed with the batch as `[N, 28, 28, 1]`.
//
// What layers count (`Layer.flopsPerExample(for:)`), per example of the forward pass:
// - dense: 2·in·out; conv2d: 2·OH·OW·out·k·k·in (one multiply-add = 2 FLOPs, biases not
//   counted), residual projections alike — the formulas the model families used by hand;
// - 0 for everything else: activations, batch and layer norm, pooling, dropout, flatten,
//   reshape, embedding lookups and the residual's addition (elementwise and memory-bound, as
//   fvcore and ptflops count by default);
// - containers (sequential, residual) the sum of their layers.
// Trainable parameters are `Layer.parameterCount` (the layer exists, so it knows them).

/// A layer that cannot take its input shape.
public struct LayerShapeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The layer's name in the layer language (`dense`, `max_pool`, …).
    public var layer: String
    /// The example shape it was given (no batch dimension).
    public var input: [Int]
    /// What is wrong and what to do, following "input [N, …] ": e.g. "has 3 dimensions after
    /// the batch; add flatten or global_avg_pool before it".
    public var problem: String
    /// Where the layer sits: 0-based indices into nested `Sequential.layers` (a residual passes
    /// its inner stack's indices through); empty for a layer checked on its own.
    public var path: [Int]

    public init(layer: String, input: [Int], problem: String, path: [Int] = []) {
        self.layer = layer
        self.input = input
        self.problem = problem
        self.path = path
    }

    /// The message without the position: "dense: input [N, 7, 7, 64] has 3 dimensions after …".
    public var detail: String { "\(layer): input \(LayerShapeError.shapeText(input)) \(problem)" }

    /// The message with the position, numbered from 1 as a user counts ("layer 6 dense: …",
    /// "layer 4.2 conv2d: …" for the second layer inside the fourth).
    public var description: String {
        path.isEmpty ? detail : "layer \(path.map { String($0 + 1) }.joined(separator: ".")) \(detail)"
    }

    /// The error one level further out: `index` prepended to the path.
    public func inside(_ index: Int) -> LayerShapeError {
        var e = self
        e.path.insert(index, at: 0)
        return e
    }

    /// An example shape with its batch dimension: [7, 7, 64] → "[N, 7, 7, 64]".
    public static func shapeText(_ shape: [Int]) -> String {
        "[" + (["N"] + shape.map(String.init)).joined(separator: ", ") + "]"
    }

    /// "1 dimension" / "3 dimensions".
    static func dimensions(_ n: Int) -> String { n == 1 ? "1 dimension" : "\(n) dimensions" }

    /// Throws unless `input` is an image [H, W, C] with positive sizes; returns (H, W, C).
    static func requireImage(_ layer: String, _ input: [Int]) throws(LayerShapeError) -> (h: Int, w: Int, c: Int) {
        guard input.count == 3 else {
            let hint = input.count == 1
                ? "; it needs images [N, H, W, C] (reshape the features to [H, W, C] first, or use a source with images)"
                : "; it needs images [N, H, W, C]"
            throw LayerShapeError(layer: layer, input: input,
                                  problem: "has \(dimensions(input.count)) after the batch\(hint)")
        }
        guard input.allSatisfy({ $0 > 0 }) else {
            throw LayerShapeError(layer: layer, input: input, problem: "is empty; every dimension must be at least 1")
        }
        return (input[0], input[1], input[2])
    }
}
