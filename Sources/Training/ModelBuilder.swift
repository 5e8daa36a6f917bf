// ModelBuilder: turns a TrainingConfig into a network, seeded.
import NN
import TensorCore

/// What a built model costs at inference.
public struct ModelCost: Sendable, Equatable, Codable {
    /// Trainable scalars.
    public var parameters: Int
    /// Multiply-adds ×2 per example in the forward pass (dense and conv layers only).
    public var flopsPerExample: Int
}

public struct ModelBuildError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

public enum ModelBuilder {
    /// Builds the network `config` describes for inputs of `featureCount` features (images of
    /// `imageShape` [H, W, C] for the CNN) and `classCount` outputs. The output layer starts with
    /// small weights and its bias at the log class priors, so the loss at init is the entropy of
    /// the priors (−ln(1/C) for balanced classes): the recipe's "init well".
    public static func build(_ config: TrainingConfig, featureCount: Int, imageShape: [Int]?, classCount: Int,
                             classPriors: [Float]? = nil, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        var layers: [any Layer] = []
        var flops = 0
        let dropout = Float(config.dropout)
        var features = 0
        /// Dense → [batch norm] → activation → [dropout], from `features` to `width`.
        func hidden(_ width: Int) {
            layers.append(Dense(features, width, bias: !config.batchNorm, initializer: config.initializer, rng: &rng))
            flops += 2 * features * width
            if config.batchNorm { layers.append(BatchNorm(features: width)) }
            layers.append(Activation(config.activation))
            if dropout > 0 { layers.append(Dropout(rate: dropout, rng: &rng)) }
            features = width
        }
        switch config.model {
        case .mlp:
            features = featureCount
            for _ in 0..<config.depth { hidden(config.width) }
        case .cnn:
            guard let shape = imageShape, shape.count == 3, shape.reduce(1, *) == featureCount else {
                throw ModelBuildError(description: "model 'cnn' needs image data (an IDX source); this data has \(featureCount) plain features. Use model: mlp for tables.")
            }
            var (h, w, c) = (shape[0], shape[1], shape[2])
            layers.append(Reshape(shape))
            for block in 0..<config.convBlocks {
                let out = config.channels << block
                guard h >= 2 && w >= 2 else {
                    throw ModelBuildError(description: "conv_blocks = \(config.convBlocks) pools a \(shape[0])×\(shape[1]) image below 1×1 at block \(block + 1); use at most \(block) blocks")
                }
                layers.append(Conv2D(inChannels: c, outChannels: out, kernel: config.kernel, bias: !config.batchNorm,
                                     initializer: config.initializer, rng: &rng))
                flops += 2 * h * w * out * config.kernel * config.kernel * c
                if config.batchNorm { layers.append(BatchNorm(features: out)) }
                layers.append(Activation(config.activation))
                layers.append(MaxPool2D(kernel: 2))
                (h, w, c) = (h / 2, w / 2, out)
            }
            layers.append(Flatten())
            features = h * w * c
            if dropout > 0 { layers.append(Dropout(rate: dropout, rng: &rng)) }
            hidden(config.denseWidth)
        }
        let head = Dense(features, classCount, initializer: .glorotNormal, scale: 0.1, rng: &rng)
        if let priors = classPriors, priors.count == classCount, priors.reduce(0, +) > 0 {
            head.bias!.assign(Initializer.biasFromClassPriors(priors))
        }
        layers.append(head)
        flops += 2 * features * classCount
        let model = Sequential(layers)
        return (model, ModelCost(parameters: model.parameterCount, flopsPerExample: flops))
    }

    /// `build` for the shapes and class priors of `data`'s training split.
    public static func build(_ config: TrainingConfig, for data: PreparedData, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        try build(config, featureCount: data.featureCount, imageShape: data.imageShape, classCount: data.classCount,
                  classPriors: data.train.classCounts.map(Float.init), rng: &rng)
    }
}
