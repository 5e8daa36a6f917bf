// Conv2D: 2-D convolution over NHWC images (im2col + GEMM, see Tensor.conv2d); weights
// [O, KH, KW, C], optional bias [O].
import TensorCore

public final class Conv2D: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int
    public var isTraining = true

    /// `padding: nil` means "same" for odd kernels at stride 1: (k − 1) / 2.
    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int? = nil,
                bias: Bool = true, initializer: Initializer = .heNormal, rng: inout RNG) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0, "Conv2D needs positive sizes")
        let fanIn = inChannels * kernel * kernel, fanOut = outChannels * kernel * kernel
        weight = Tensor(shape: [outChannels, kernel, kernel, inChannels],
                        data: initializer.sample(count: outChannels * fanIn, fanIn: fanIn, fanOut: fanOut, rng: &rng),
                        requiresGrad: true)
        self.bias = bias ? Tensor.zeros([outChannels], requiresGrad: true) : nil
        self.stride = stride
        self.padding = padding ?? (kernel - 1) / 2
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }

    public var namedParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

/// Max pooling over NHWC images.
public final class MaxPool2D: StatelessLayer {
    public let kernel: Int, stride: Int
    public init(kernel: Int = 2, stride: Int? = nil) { self.kernel = kernel; self.stride = stride ?? kernel }
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.maxPool2d(x, kernel: kernel, stride: stride) }
}

/// [N, ...] → [N, rest].
public final class Flatten: StatelessLayer {
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.flattened() }
}

/// Reshapes each example (the batch dimension is kept): e.g. [N, 784] → [N, 28, 28, 1].
public final class Reshape: StatelessLayer {
    public let exampleShape: [Int]
    public init(_ exampleShape: [Int]) { self.exampleShape = exampleShape }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.reshaped([x.shape[0]] + exampleShape) }
}
