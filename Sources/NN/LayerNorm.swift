// LayerNorm: normalisation of each example's last dimension (features of [N, F], channels of
// each pixel of [N, H, W, C]) by its own mean and variance, then a learned gain and bias per
// feature (Ba et al. 2016; see Tensor.layerNorm). No running statistics: training and
// evaluation compute the same function, and no example's output depends on another's.
import TensorCore

public final class LayerNorm: Layer {
    public let gain: Tensor, bias: Tensor   // [F], start at 1 and 0
    public let epsilon: Float
    public var isTraining = true

    public init(features: Int, epsilon: Float = 1e-5) {
        precondition(features > 0, "LayerNorm needs at least one feature, got \(features)")
        gain = Tensor.ones([features], requiresGrad: true)
        bias = Tensor.zeros([features], requiresGrad: true)
        self.epsilon = epsilon
    }

    public var features: Int { gain.count }
    public var namedParameters: [(String, Tensor)] { [("gain", gain), ("bias", bias)] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == features, "LayerNorm(\(features)) got input \(x.shape)")
        return Tensor.layerNorm(x, gain: gain, bias: bias, epsilon: epsilon)
    }

    public var layerName: String { "layer_norm" }
    public var layerArguments: String { "\(features) features" }
    /// [..., F] → the same, when F = `features`.
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        try requireLastDimension(layerName, features, input)
        return input
    }
}
