// Presets: the named families `mlp` and `cnn` written as layer lists of the sweep file's layer
// language and built by the same code as `model: {layers: …}` (LayerListFamily), so there is one
// code path and the layers count their own parameters and FLOPs. Each preset builds exactly the
// network the family built before it was one (same layers, same order, same random draws).
import NN
import Search
import TensorCore

enum Presets {
    /// A preset layer (no place in a sweep file: its location names the preset).
    static func layer(_ operation: ConcreteLayer.Operation) -> ConcreteLayer {
        ConcreteLayer(operation: operation, location: SourceLocation(file: "preset", line: 0, column: 0))
    }

    /// One hidden block: dense {units} (no bias before batch_norm), [batch_norm], activation,
    /// [dropout {rate: dropout}].
    static func hidden(_ units: Int, _ config: TrainingConfig) -> [ConcreteLayer] {
        var block = [layer(.dense(units: units, bias: !config.batchNorm))]
        if config.batchNorm { block.append(layer(.batchNorm)) }
        block.append(layer(.activation(config.activation.rawValue)))
        if config.dropout > 0 { block.append(layer(.dropout(rate: config.dropout))) }
        return block
    }

    /// Builds a preset's list; a layer that cannot take its input becomes a `ModelBuildError`
    /// naming the family (a preset has no line in the sweep file).
    static func build(_ layers: [ConcreteLayer], family: String, config: TrainingConfig, for shape: DataShape, images: Bool,
                      rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        do {
            return try LayerListFamily.build(layers, config: config, for: shape, images: images, rng: &rng)
        } catch let e as SweepSpecError {
            throw ModelBuildError(description: "model '\(family)': \(e.message)")
        }
    }
}
