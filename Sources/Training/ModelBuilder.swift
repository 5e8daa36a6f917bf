// ModelBuilder: turns a TrainingConfig into a network, seeded, through its model family.
import NN
import TensorCore

/// What a built model costs at inference.
public struct ModelCost: Sendable, Equatable, Codable {
    /// Trainable scalars.
    public var parameters: Int
    /// Multiply-adds ×2 per example in the forward pass (dense and conv layers only).
    public var flopsPerExample: Int

    public init(parameters: Int, flopsPerExample: Int) {
        self.parameters = parameters
        self.flopsPerExample = flopsPerExample
    }
}

public struct ModelBuildError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

public enum ModelBuilder {
    /// Builds the network `config` describes (its family's `build`) for inputs of `featureCount`
    /// features (images of `imageShape` [H, W, C] for the CNN) and `classCount` outputs. The
    /// output layer starts with small weights and its bias at the log class priors, so the loss at
    /// init is the entropy of the priors (−ln(1/C) for balanced classes): the recipe's "init well".
    public static func build(_ config: TrainingConfig, featureCount: Int, imageShape: [Int]?, classCount: Int,
                             classPriors: [Float]? = nil, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        try config.model.family.build(config, for: DataShape(featureCount: featureCount, imageShape: imageShape, classCount: classCount,
                                                              classPriors: classPriors), rng: &rng)
    }

    /// `build` for the shapes and class priors (regression: target means) of `data`'s training split.
    public static func build(_ config: TrainingConfig, for data: PreparedData, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        try config.model.family.build(config, for: shape(of: data), rng: &rng)
    }

    /// What a model for `data` is built for: its features, image shape, outputs, and the output
    /// bias's starting point (class priors, or the training targets' means).
    public static func shape(of data: PreparedData) -> DataShape {
        guard let t = data.train.targets else {
            return DataShape(featureCount: data.featureCount, imageShape: data.imageShape, classCount: data.classCount,
                             classPriors: data.train.classCounts.map(Float.init))
        }
        let n = max(data.train.count, 1)
        var means = [Double](repeating: 0, count: t.width)
        for r in 0..<data.train.count { for j in 0..<t.width { means[j] += Double(t.values[r * t.width + j]) } }
        return DataShape(featureCount: data.featureCount, imageShape: data.imageShape, classCount: t.width,
                         targetMeans: means.map { Float($0 / Double(n)) })
    }

    /// The output layer on `features` inputs: small Glorot weights (scale 0.1), and the bias at the
    /// log class priors (classification) or the target means (regression), so the first outputs
    /// are the priors or the mean: the recipe's "init well".
    public static func outputLayer(features: Int, for shape: DataShape, rng: inout RNG) -> Dense {
        let head = Dense(features, shape.classCount, initializer: .glorotNormal, scale: 0.1, rng: &rng)
        if let means = shape.targetMeans, means.count == shape.classCount {
            head.bias!.assign(means)
        } else if let priors = shape.classPriors, priors.count == shape.classCount, priors.reduce(0, +) > 0 {
            head.bias!.assign(Initializer.biasFromClassPriors(priors))
        }
        return head
    }

    /// The layers a family builds, with their FLOPs, and the pieces families share.
    public struct LayerStack {
        public let config: TrainingConfig
        public private(set) var layers: [any Layer] = []
        public private(set) var flops = 0
        /// The width of the last layer's output (what the next dense layer reads).
        public var features: Int

        public init(_ config: TrainingConfig, features: Int) {
            self.config = config
            self.features = features
        }

        public mutating func append(_ layer: any Layer, flops: Int = 0) {
            layers.append(layer)
            self.flops += flops
        }

        /// A dropout layer at the configuration's rate; nothing when it is 0.
        public mutating func dropout(rng: inout RNG) {
            let rate = Float(config.dropout)
            if rate > 0 { layers.append(Dropout(rate: rate, rng: &rng)) }
        }

        /// Dense → [batch norm] → activation → [dropout], from `features` to `width`.
        public mutating func hidden(_ width: Int, rng: inout RNG) {
            append(Dense(features, width, bias: !config.batchNorm, initializer: config.initializer, rng: &rng), flops: 2 * features * width)
            if config.batchNorm { layers.append(BatchNorm(features: width)) }
            layers.append(Activation(config.activation))
            dropout(rng: &rng)
            features = width
        }

        /// Appends the output layer (`ModelBuilder.outputLayer`) and
        /// returns the network with its cost.
        public mutating func finish(_ shape: DataShape, rng: inout RNG) -> (model: Sequential, cost: ModelCost) {
            append(ModelBuilder.outputLayer(features: features, for: shape, rng: &rng), flops: 2 * features * shape.classCount)
            let model = Sequential(layers)
            return (model, ModelCost(parameters: model.parameterCount, flopsPerExample: flops))
        }
    }
}
