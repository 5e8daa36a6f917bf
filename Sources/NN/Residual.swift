// Residual: a skip connection around a stack of layers (He et al. 2016):
//   y = inner(x) + x                 when `inner` keeps the example shape,
//   y = inner(x) + projection(x)     otherwise, with a projection that maps x to inner's shape:
//     images [H, W, C] → [H', W', C']: a 1×1 conv without bias, C → C', stride s the smallest
//       with (H − 1) / s + 1 = H' and (W − 1) / s + 1 = W' (what a 1×1 conv, padding 0, gives;
//       s = 2 for a block whose first conv has stride 2 and same padding);
//     vectors [F] → [F']: a dense layer without bias (inner's last layer or the norm after the
//       sum supplies the offset).
// Parameters are named "inner.<name>" (inner's own names) then "projection.<name>", buffers and
// random streams alike: stable, so checkpoints of residual models round-trip.
import TensorCore

public final class Residual: Layer {
    public let inner: Sequential
    /// Maps x to inner's output shape; nil when inner keeps the shape.
    public let projection: (any Layer)?

    /// Sets the mode of `inner` and `projection` (like Sequential, the parts keep their own modes
    /// until this is set).
    public var isTraining: Bool = true {
        didSet {
            inner.isTraining = isTraining
            projection?.isTraining = isTraining
        }
    }

    /// A residual with the given projection (nil: the identity skip, for an inner stack that
    /// keeps the shape; `outputShape(for:)` says when it does not).
    public init(inner: Sequential, projection: (any Layer)? = nil) {
        self.inner = inner
        self.projection = projection
    }

    /// A residual for inputs of example shape `input` (no batch), with the projection the
    /// shapes call for (see the file's header); throws when `inner` cannot take `input` or no
    /// projection fits (inner changes the rank, or grows the image).
    public convenience init(inner: Sequential, input: [Int], initializer: Initializer = .heNormal,
                            rng: inout RNG) throws(LayerShapeError) {
        let output = try inner.outputShape(for: input)
        self.init(inner: inner, projection: try Residual.projection(from: input, to: output, initializer: initializer, rng: &rng))
    }

    /// The projection from example shape `input` to `output`: nil when they are equal, a 1×1
    /// conv for images, a dense layer for vectors; throws when there is none.
    public static func projection(from input: [Int], to output: [Int], initializer: Initializer = .heNormal,
                                  rng: inout RNG) throws(LayerShapeError) -> (any Layer)? {
        if input == output { return nil }
        if input.count == 1 && output.count == 1 {
            return Dense(input[0], output[0], bias: false, initializer: initializer, rng: &rng)
        }
        guard input.count == 3 && output.count == 3 else {
            throw LayerShapeError(layer: "residual", input: input,
                                  problem: "becomes \(LayerShapeError.shapeText(output)) through its layers; a residual's layers must keep "
                                      + "images as images and vectors as vectors (move flatten or global_avg_pool after the residual)")
        }
        guard let stride = projectionStride(from: input, to: output) else {
            throw LayerShapeError(layer: "residual", input: input,
                                  problem: "becomes \(LayerShapeError.shapeText(output)) through its layers; no 1×1 conv projection with one "
                                      + "stride for both height and width gives that size (shrink height and width alike, and never grow them)")
        }
        return Conv2D(inChannels: input[2], outChannels: output[2], kernel: 1, stride: stride, padding: 0, bias: false,
                      initializer: initializer, rng: &rng)
    }

    /// The smallest stride s with (H − 1) / s + 1 = H' and (W − 1) / s + 1 = W', if any.
    static func projectionStride(from input: [Int], to output: [Int]) -> Int? {
        let (h, w, oh, ow) = (input[0], input[1], output[0], output[1])
        guard h > 0, w > 0, oh > 0, ow > 0, oh <= h, ow <= w else { return nil }
        return (1...Swift.max(h, w)).first { s in (h - 1) / s + 1 == oh && (w - 1) / s + 1 == ow }
    }

    /// inner(x) + x, or inner(x) + projection(x).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = inner(x)
        let skip = projection.map { $0(x) } ?? x
        precondition(y.shape == skip.shape,
                     "residual: its layers map \(x.shape) to \(y.shape) but the skip path gives \(skip.shape); "
                     + (projection == nil ? "build it with Residual(inner:input:rng:) to get a projection" : "the projection does not fit"))
        return y + skip
    }

    public var namedParameters: [(String, Tensor)] {
        inner.namedParameters.map { ("inner." + $0.0, $0.1) } + (projection?.namedParameters.map { ("projection." + $0.0, $0.1) } ?? [])
    }

    public var namedBuffers: [(String, Tensor)] {
        inner.namedBuffers.map { ("inner." + $0.0, $0.1) } + (projection?.namedBuffers.map { ("projection." + $0.0, $0.1) } ?? [])
    }

    public var namedRandomStreams: [(String, RNG)] {
        inner.namedRandomStreams.map { ("inner." + $0.0, $0.1) }
            + (projection?.namedRandomStreams.map { ("projection." + $0.0, $0.1) } ?? [])
    }

    public func setRandomStream(_ name: String, to rng: RNG) -> Bool {
        if name.hasPrefix("inner.") { return inner.setRandomStream(String(name.dropFirst("inner.".count)), to: rng) }
        if name.hasPrefix("projection."), let projection {
            return projection.setRandomStream(String(name.dropFirst("projection.".count)), to: rng)
        }
        return false
    }

    // MARK: Shape and cost

    public var layerName: String { "residual" }
    public var layerArguments: String {
        "\(inner.layers.count) layers" + (projection.map { ", projection \($0.layerName)" } ?? "")
    }

    /// inner's output shape, which the skip path must match: `input` itself without a
    /// projection, the projection's output with one. Errors inside `inner` keep their positions
    /// there (`path` continues into inner's layers).
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        let output = try inner.outputShape(for: input)
        guard let projection else {
            guard output == input else {
                throw LayerShapeError(layer: layerName, input: input,
                                      problem: "becomes \(LayerShapeError.shapeText(output)) through its layers; without a projection a "
                                          + "residual must keep the shape (Residual(inner:input:rng:) adds a 1×1 conv or dense projection)")
            }
            return output
        }
        let skip: [Int]
        do throws(LayerShapeError) {
            skip = try projection.outputShape(for: input)
        } catch {
            throw LayerShapeError(layer: layerName, input: input, problem: "does not fit its projection: \(error.detail)")
        }
        guard skip == output else {
            throw LayerShapeError(layer: layerName, input: input,
                                  problem: "becomes \(LayerShapeError.shapeText(output)) through its layers but "
                                      + "\(LayerShapeError.shapeText(skip)) through its projection")
        }
        return output
    }

    /// inner's FLOPs plus the projection's (the addition counts 0).
    public func flopsPerExample(for input: [Int]) -> Int {
        inner.flopsPerExample(for: input) + (projection?.flopsPerExample(for: input) ?? 0)
    }
}
