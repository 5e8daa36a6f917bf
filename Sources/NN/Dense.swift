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
}
