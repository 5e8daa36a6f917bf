// Conv2D: 2-D convolution over NHWC images (im2col + GEMM, see Tensor.conv2d); weights
// [O, KH, KW, C], optional bias [O]. Also MaxPool2D, Flatten and Reshape.
import TensorCore

public final class Conv2D: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int
    public var isTraining = true

    /// How many pixels of zeros a convolution adds on each side.
    public enum Padding: Equatable, Sendable, CustomStringConvertible {
        /// (k − 1) / 2 for an odd kernel k: the output is H at stride 1 and ⌈H / stride⌉ at a
        /// larger stride (TensorFlow's "same" output size; symmetric, so odd kernels only).
        case same
        /// None: the output is (H − k) / stride + 1.
        case valid
        /// n pixels on each side.
        case explicit(Int)

        /// The pixels per side for a kernel of size `kernel`; nil for `same` with an even kernel
        /// or a negative explicit padding.
        public func pixels(kernel: Int) -> Int? {
            switch self {
            case .same: return kernel % 2 == 1 ? (kernel - 1) / 2 : nil
            case .valid: return 0
            case .explicit(let n): return n >= 0 ? n : nil
            }
        }

        public var description: String {
            switch self {
            case .same: return "same"
            case .valid: return "valid"
            case .explicit(let n): return String(n)
            }
        }
    }

    /// A convolution with its padding given as `same`, `valid` or a number of pixels (the layer
    /// language's `padding: same|valid|N`). Stops for `same` with an even kernel and for a
    /// negative padding (check `Padding.pixels(kernel:)` first to refuse them politely).
    public convenience init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding,
                            bias: Bool = true, initializer: Initializer = .heNormal, rng: inout RNG) {
        guard let pixels = padding.pixels(kernel: kernel) else {
            preconditionFailure("conv2d: padding \(padding) is impossible for a \(kernel)×\(kernel) kernel"
                                + (padding == .same ? " (same padding needs an odd kernel)" : ""))
        }
        self.init(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: Optional(pixels),
                  bias: bias, initializer: initializer, rng: &rng)
    }

    /// `padding: nil` means "same" for odd kernels at stride 1: (k − 1) / 2.
    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int? = nil,
                bias: Bool = true, initializer: Initializer = .heNormal, rng: inout RNG) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0, "Conv2D needs positive sizes")
        precondition(stride >= 1 && (padding ?? 0) >= 0, "Conv2D needs stride ≥ 1 and padding ≥ 0, got \(stride), \(padding ?? 0)")
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

    /// relu(self(x)), then `pool` when given: what this layer, a ReLU and the pool give one after
    /// another, bit for bit, as one fused operation.
    public func reluForward(_ x: Tensor, pool: MaxPool2D?) -> Tensor {
        Tensor.conv2dReLU(x, weight: weight, bias: bias, stride: stride, padding: padding,
                          pool: pool.map { Tensor.PoolWindow(kernel: $0.kernel, stride: $0.stride) })
    }

    public var namedParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    // MARK: Shape and cost

    public var inChannels: Int { weight.shape[3] }
    public var outChannels: Int { weight.shape[0] }
    /// The (square) kernel size.
    public var kernel: Int { weight.shape[1] }

    public var layerName: String { "conv2d" }
    public var layerArguments: String {
        "\(outChannels) × \(kernel)×\(kernel), stride \(stride), padding \(padding)" + (bias == nil ? ", no bias" : "")
    }

    /// [H, W, inChannels] → [OH, OW, outChannels], OH = (H + 2·padding − k) / stride + 1.
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        let out = try Conv2D.outputShape(channels: outChannels, kernel: kernel, stride: stride, padding: padding, for: input)
        guard input[2] == inChannels else {
            throw LayerShapeError(layer: layerName, input: input,
                                  problem: "has \(input[2]) channels; this conv2d was built for \(inChannels)")
        }
        return out
    }

    /// 2·OH·OW·out·k·k·in.
    public func flopsPerExample(for input: [Int]) -> Int {
        guard let out = try? outputShape(for: input) else { return 0 }
        return 2 * out[0] * out[1] * outChannels * kernel * kernel * inChannels
    }

    /// The shape a convolution to `channels` with a k×k kernel gives `input` [H, W, C], before
    /// one is built: throws unless `input` is an image at least as large as the kernel once padded.
    public static func outputShape(channels: Int, kernel: Int, stride: Int, padding: Int,
                                   for input: [Int]) throws(LayerShapeError) -> [Int] {
        let (h, w, _) = try LayerShapeError.requireImage("conv2d", input)
        guard h + 2 * padding >= kernel && w + 2 * padding >= kernel else {
            throw LayerShapeError(layer: "conv2d", input: input,
                                  problem: "is \(h)×\(w), smaller than the \(kernel)×\(kernel) kernel with padding \(padding); "
                                      + "use padding: same, a smaller kernel, or fewer pools before it")
        }
        return [(h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1, channels]
    }
}

/// Max pooling over NHWC images.
public final class MaxPool2D: StatelessLayer {
    public let kernel: Int, stride: Int
    public init(kernel: Int = 2, stride: Int? = nil) { self.kernel = kernel; self.stride = stride ?? kernel }
    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.maxPool2d(x, kernel: kernel, stride: stride) }

    public var layerName: String { "max_pool" }
    public var layerArguments: String { "\(kernel)×\(kernel), stride \(stride)" }
    /// [H, W, C] → [(H − k) / stride + 1, (W − k) / stride + 1, C]; an image smaller than the
    /// window (a pool that would shrink it below 1×1) is an error.
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        try MaxPool2D.outputShape(kernel: kernel, stride: stride, for: input)
    }

    /// The shape a max pool gives `input` [H, W, C], before one is built.
    public static func outputShape(kernel: Int, stride: Int? = nil, for input: [Int]) throws(LayerShapeError) -> [Int] {
        try poolOutputShape("max_pool", kernel: kernel, stride: stride ?? kernel, for: input)
    }
}

/// The output of a k×k pooling window every `stride` pixels without padding over [H, W, C].
func poolOutputShape(_ layer: String, kernel: Int, stride: Int, for input: [Int]) throws(LayerShapeError) -> [Int] {
    let (h, w, c) = try LayerShapeError.requireImage(layer, input)
    guard h >= kernel && w >= kernel else {
        throw LayerShapeError(layer: layer, input: input,
                              problem: "is \(h)×\(w): a \(kernel)×\(kernel) \(layer) (stride \(stride)) would shrink it below 1×1; "
                                  + "remove a pool (or a strided conv) before it, or use a smaller size")
    }
    return [(h - kernel) / stride + 1, (w - kernel) / stride + 1, c]
}

/// [N, ...] → [N, rest].
public final class Flatten: StatelessLayer {
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.flattened() }

    public var layerName: String { "flatten" }
    /// [d₁, …, dₖ] → [d₁·…·dₖ].
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] { [input.reduce(1, *)] }
}

/// Reshapes each example (the batch dimension is kept): e.g. [N, 784] → [N, 28, 28, 1].
public final class Reshape: StatelessLayer {
    public let exampleShape: [Int]
    public init(_ exampleShape: [Int]) { self.exampleShape = exampleShape }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.reshaped([x.shape[0]] + exampleShape) }

    public var layerName: String { "reshape" }
    public var layerArguments: String { LayerShapeError.shapeText(exampleShape) }
    /// `exampleShape`, when it holds as many values as the input.
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        let have = input.reduce(1, *), need = exampleShape.reduce(1, *)
        guard have == need else {
            throw LayerShapeError(layer: layerName, input: input,
                                  problem: "has \(have) values per example; reshaping to \(LayerShapeError.shapeText(exampleShape)) needs \(need)")
        }
        return exampleShape
    }
}
