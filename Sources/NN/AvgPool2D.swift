// AvgPool2D and GlobalAvgPool2D: average pooling over NHWC images (see Tensor.avgPool2d and
// Tensor.globalAvgPool2d), no parameters.
import TensorCore

/// Average pooling with a k×k window every `stride` pixels (default k), no padding:
/// [N, H, W, C] → [N, (H − k) / stride + 1, (W − k) / stride + 1, C]; each output is the mean
/// of k² inputs of one channel.
public final class AvgPool2D: StatelessLayer {
    public let kernel: Int, stride: Int
    public init(kernel: Int = 2, stride: Int? = nil) {
        precondition(kernel >= 1 && (stride ?? 1) >= 1, "AvgPool2D needs kernel ≥ 1 and stride ≥ 1, got \(kernel), \(stride ?? kernel)")
        self.kernel = kernel
        self.stride = stride ?? kernel
    }
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.avgPool2d(x, kernel: kernel, stride: stride) }

    public var layerName: String { "avg_pool" }
    public var layerArguments: String { "\(kernel)×\(kernel), stride \(stride)" }
    /// An image smaller than the window (a pool that would shrink it below 1×1) is an error.
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        try AvgPool2D.outputShape(kernel: kernel, stride: stride, for: input)
    }

    /// The shape an average pool gives `input` [H, W, C], before one is built.
    public static func outputShape(kernel: Int, stride: Int? = nil, for input: [Int]) throws(LayerShapeError) -> [Int] {
        try poolOutputShape("avg_pool", kernel: kernel, stride: stride ?? kernel, for: input)
    }
}

/// The mean over all pixels of each channel: [N, H, W, C] → [N, C] (what a ResNet puts
/// between its last block and its dense head, instead of flatten).
public final class GlobalAvgPool2D: StatelessLayer {
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.globalAvgPool2d(x) }

    public var layerName: String { "global_avg_pool" }
    /// [H, W, C] → [C].
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        try GlobalAvgPool2D.outputShape(for: input)
    }

    /// The shape global average pooling gives `input` [H, W, C]: [C].
    public static func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        [try LayerShapeError.requireImage("global_avg_pool", input).c]
    }
}
