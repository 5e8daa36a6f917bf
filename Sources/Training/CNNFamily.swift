// CNNFamily: `model: cnn`, conv blocks then one dense layer, for image data (IDX sources).
import NN
import Search
import TensorCore

public struct CNNFamily: ModelFamily {
    public init() {}
    public let name = "cnn"
    public let parameters: [TrainingParameter] = [
        .init("conv_blocks", field: "convBlocks", .integer(min: 1), default: .int(2),
              help: "conv blocks: conv, [batch norm], activation, 2×2 max-pool"),
        .init("channels", field: "channels", .integer(min: 1), default: .int(32),
              help: "channels of the first block (doubling per block)"),
        .init("kernel", field: "kernel", .integer(min: 1), default: .int(3), help: "odd convolution kernel size (same padding)",
              check: { v in v.intValue.map { $0 % 2 == 1 } == true ? nil : "expected an odd kernel size (same padding), got \(v)" }),
        .init("dense_width", field: "denseWidth", .integer(min: 1), default: .int(128), help: "units of the dense layer after the blocks"),
    ]

    /// Reshape, conv_blocks × (Conv2D → [batch norm] → activation → max-pool), flatten,
    /// [dropout], one hidden dense block, then the output layer.
    public func build(_ config: TrainingConfig, for shape: DataShape, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        guard let image = shape.imageShape, image.count == 3, image.reduce(1, *) == shape.featureCount else {
            throw ModelBuildError(description: "model 'cnn' needs image data (an IDX source); this data has \(shape.featureCount) plain features. Use model: mlp for tables.")
        }
        var stack = ModelBuilder.LayerStack(config, features: 0)
        var (h, w, c) = (image[0], image[1], image[2])
        let kernel = config.kernel
        stack.append(Reshape(image))
        for block in 0..<config.convBlocks {
            let out = config.channels << block
            guard h >= 2 && w >= 2 else {
                throw ModelBuildError(description: "conv_blocks = \(config.convBlocks) pools a \(image[0])×\(image[1]) image below 1×1 at block \(block + 1); use at most \(block) blocks")
            }
            stack.append(Conv2D(inChannels: c, outChannels: out, kernel: kernel, bias: !config.batchNorm,
                                initializer: config.initializer, rng: &rng),
                         flops: 2 * h * w * out * kernel * kernel * c)
            if config.batchNorm { stack.append(BatchNorm(features: out)) }
            stack.append(Activation(config.activation))
            stack.append(MaxPool2D(kernel: 2))
            (h, w, c) = (h / 2, w / 2, out)
        }
        stack.append(Flatten())
        stack.features = h * w * c
        stack.dropout(rng: &rng)
        stack.hidden(config.denseWidth, rng: &rng)
        return stack.finish(shape, rng: &rng)
    }
}

extension ModelKind {
    public static let cnn = ModelKind(registered: "cnn")
}

extension TrainingConfig {
    /// CNN: conv blocks.
    public var convBlocks: Int {
        get { integer("conv_blocks") }
        set { setValue(.int(newValue), for: "conv_blocks") }
    }
    /// CNN: channels of the first block (doubling per block).
    public var channels: Int {
        get { integer("channels") }
        set { setValue(.int(newValue), for: "channels") }
    }
    /// CNN: kernel size (odd).
    public var kernel: Int {
        get { integer("kernel") }
        set { setValue(.int(newValue), for: "kernel") }
    }
    /// CNN: the dense layer's width.
    public var denseWidth: Int {
        get { integer("dense_width") }
        set { setValue(.int(newValue), for: "dense_width") }
    }
}
