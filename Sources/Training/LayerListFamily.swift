// LayerListFamily: `model: {layers: [...]}`, the sweep file's own architecture. The parser
// (Search.LayerSpec) checks the list and evaluates it for each trial's configuration into
// concrete layers (`TrainingConfig.layers`); this builds them from NN's layers, inferring each
// layer's input shape from the one before, and appends the output layer as the built-in families
// do (small Glorot weights, bias at the log class priors: the recipe's "init well"). A layer that
// cannot take its input is a `SweepSpecError` at that layer's line and column.
import NN
import Search
import TensorCore

public struct LayerListFamily: ModelFamily {
    public init() {}
    public let name = LayerSpec.modelName
    /// None of its own: the layers reference sampled parameters by name (`${channels}`).
    public let parameters: [TrainingParameter] = []

    public func build(_ config: TrainingConfig, for shape: DataShape, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        guard let concrete = config.layers else {
            throw ModelBuildError(description: "model 'layers' has no layer list: give model: {layers: [...]} in the sweep file")
        }
        return try Self.build(concrete, config: config, for: shape, images: true, rng: &rng)
    }

    /// The network of `concrete` on data of `shape`, with the output layer appended. With
    /// `images` and image data, a reshape to [H, W, C] comes first (else the layers see flat
    /// rows). What the named families (the `mlp` and `cnn` presets) build through too.
    public static func build(_ concrete: [ConcreteLayer], config: TrainingConfig, for shape: DataShape, images: Bool,
                             rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        var layers: [any Layer] = []
        var current = [shape.featureCount]
        if images, let image = shape.imageShape, image.reduce(1, *) == shape.featureCount {
            layers.append(Reshape(image))
            current = image
        }
        for (i, layer) in concrete.enumerated() {
            let (built, output) = try make(layer, input: current, config: config, rng: &rng, number: "\(i + 1)")
            layers.append(built)
            current = output
        }
        guard current.count == 1, let features = current.first else {
            throw SweepSpecError(location: concrete.last?.location ?? SourceLocation(file: "", line: 0, column: 0),
                                 message: "the last layer's output is \(LayerShapeError.shapeText(current)); the output layer needs [N, features]: "
                                     + "end the list with flatten or global_avg_pool")
        }
        layers.append(ModelBuilder.outputLayer(features: features, for: shape, rng: &rng))
        let model = Sequential(layers)
        return (model, ModelCost(parameters: model.parameterCount, flopsPerExample: model.flopsPerExample(for: [shape.featureCount])))
    }

    /// The NN layer for `layer` on `input` (without the batch) and its output shape; a shape
    /// error at the layer's location, numbered `number` (`3`, or `3.2` inside a residual).
    static func make(_ layer: ConcreteLayer, input: [Int], config: TrainingConfig, rng: inout RNG,
                     number: String) throws -> (any Layer, [Int]) {
        func fail(_ e: LayerShapeError) -> SweepSpecError {
            SweepSpecError(location: layer.location, message: "layer \(number) \(e.detail)")
        }
        do {
            let built: any Layer
            switch layer.operation {
            case .dense(let units, let bias):
                _ = try Dense.outputShape(units: units, for: input)
                built = Dense(input[0], units, bias: bias, initializer: config.initializer, rng: &rng)
            case .conv2d(let channels, let kernel, let stride, let padding, let bias):
                let pixels: Int
                switch padding {
                case .same:
                    guard kernel % 2 == 1 else {
                        throw SweepSpecError(location: layer.location, message: "layer \(number) conv2d: padding same needs an odd kernel, got \(kernel); use an odd kernel or padding: valid")
                    }
                    pixels = (kernel - 1) / 2
                case .valid: pixels = 0
                case .pixels(let n): pixels = n
                }
                _ = try Conv2D.outputShape(channels: channels, kernel: kernel, stride: stride, padding: pixels, for: input)
                built = Conv2D(inChannels: input[2], outChannels: channels, kernel: kernel, stride: stride, padding: pixels,
                               bias: bias, initializer: config.initializer, rng: &rng)
            case .maxPool(let size, let stride):
                _ = try MaxPool2D.outputShape(kernel: size, stride: stride, for: input)
                built = MaxPool2D(kernel: size, stride: stride)
            case .avgPool(let size, let stride):
                _ = try AvgPool2D.outputShape(kernel: size, stride: stride, for: input)
                built = AvgPool2D(kernel: size, stride: stride)
            case .globalAvgPool: built = GlobalAvgPool2D()
            case .flatten: built = Flatten()
            case .batchNorm: built = BatchNorm(features: input.last ?? 1)
            case .layerNorm: built = LayerNorm(features: input.last ?? 1)
            case .dropout(let rate): built = Dropout(rate: Float(rate), rng: &rng)
            case .activation(let name):
                guard let kind = ActivationKind(rawValue: name) else {
                    throw SweepSpecError(location: layer.location, message: "layer \(number): unknown activation '\(name)'")
                }
                built = Activation(kind)
            case .embedding(let vocabulary, let dim):
                _ = try Embedding.outputShape(dim: dim, for: input)
                built = Embedding(vocabulary: vocabulary, dim: dim, rng: &rng)
            case .residual(let children):
                var inner: [any Layer] = [], shape = input
                for (j, child) in children.enumerated() {
                    let (l, out) = try make(child, input: shape, config: config, rng: &rng, number: "\(number).\(j + 1)")
                    inner.append(l)
                    shape = out
                }
                built = try Residual(inner: Sequential(inner), input: input, initializer: config.initializer, rng: &rng)
            }
            return (built, try built.outputShape(for: input))
        } catch let e as LayerShapeError {
            throw fail(e)
        }
    }
}
