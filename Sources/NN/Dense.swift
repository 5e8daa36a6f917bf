// Dense (fully connected) layer: y = x·W + b with W [in, out], so the forward pass is one GEMM
// and the backward pass two (see Tensor.matmul).
import TensorCore

public final class Dense: Layer {
    public let weight: Tensor   // [in, out]
    public let bias: Tensor?    // [out]
    public var isTraining = true

    public init(_ inputs: Int, _ outputs: Int, bias: Bool = true, initializer: Initializer = .heNormal,
                scale: Float = 1, rng: inout RNG) {
        precondition(inputs > 0 && outputs > 0, "Dense needs positive sizes, got \(inputs)→\(outputs)")
        let w = initializer.sample(count: inputs * outputs, fanIn: inputs, fanOut: outputs, rng: &rng).map { $0 * scale }
        weight = Tensor(shape: [inputs, outputs], data: w, requiresGrad: true)
        self.bias = bias ? Tensor.zeros([outputs], requiresGrad: true) : nil
    }

    public var inputs: Int { weight.shape[0] }
    public var outputs: Int { weight.shape[1] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inputs, "Dense(\(inputs)→\(outputs)) got input \(x.shape)")
        return Tensor.linear(x, weight: weight, bias: bias)
    }

    public var namedParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    // MARK: Shape and cost

    public var layerName: String { "dense" }
    public var layerArguments: String { "\(outputs) units" + (bias == nil ? ", no bias" : "") }

    /// [in] → [out]; anything else is an error (images need flatten or global_avg_pool first).
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        let out = try Dense.outputShape(units: outputs, for: input)
        guard input[0] == inputs else {
            throw LayerShapeError(layer: layerName, input: input,
                                  problem: "has \(input[0]) features; this dense layer was built for \(inputs)")
        }
        return out
    }

    /// 2·in·out.
    public func flopsPerExample(for input: [Int]) -> Int { 2 * inputs * outputs }

    /// The shape a dense layer of `units` outputs gives `input` ([F] → [units]), before one is
    /// built (a builder checking a layer list): throws unless `input` is a vector of features.
    public static func outputShape(units: Int, for input: [Int]) throws(LayerShapeError) -> [Int] {
        guard input.count == 1 else {
            let hint = input.count > 1 ? "; add flatten or global_avg_pool before it" : "; it needs [N, features]"
            throw LayerShapeError(layer: "dense", input: input,
                                  problem: "has \(LayerShapeError.dimensions(input.count)) after the batch\(hint)")
        }
        guard input[0] > 0 else { throw LayerShapeError(layer: "dense", input: input, problem: "has no features") }
        return [units]
    }
}
