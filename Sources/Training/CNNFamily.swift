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

    /// Reshape, conv_blocks × (conv2d → [batch norm] → activation → 2×2 max-pool), flatten,
    /// [dropout], one hidden dense block, then the output layer: the preset, built through the
    /// layer language's one code path (`LayerListFamily.build`).
    public func build(_ config: TrainingConfig, for shape: DataShape, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        guard let image = shape.imageShape, image.count == 3, image.reduce(1, *) == shape.featureCount else {
            throw ModelBuildError(description: "model 'cnn' needs image data (an IDX source); this data has \(shape.featureCount) plain features. Use model: mlp for tables.")
        }
        var (h, w) = (image[0], image[1])
        for block in 0..<config.convBlocks {
            guard h >= 2 && w >= 2 else {
                throw ModelBuildError(description: "conv_blocks = \(config.convBlocks) pools a \(image[0])×\(image[1]) image below 1×1 at block \(block + 1); use at most \(block) blocks")
            }
            (h, w) = (h / 2, w / 2)
        }
        return try Presets.build(Self.layers(config), family: name, config: config, for: shape, images: true, rng: &rng)
    }

    /// The preset as a layer list, for `config`.
    public static func layers(_ config: TrainingConfig) -> [ConcreteLayer] {
        var list: [ConcreteLayer] = []
        for block in 0..<config.convBlocks {
            list.append(Presets.layer(.conv2d(channels: config.channels << block, kernel: config.kernel, stride: 1, padding: .same,
                                              bias: !config.batchNorm)))
            if config.batchNorm { list.append(Presets.layer(.batchNorm)) }
            list.append(Presets.layer(.activation(config.activation.rawValue)))
            list.append(Presets.layer(.maxPool(size: 2, stride: 2)))
        }
        list.append(Presets.layer(.flatten))
        if config.dropout > 0 { list.append(Presets.layer(.dropout(rate: config.dropout))) }
        return list + Presets.hidden(config.denseWidth, config)
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
