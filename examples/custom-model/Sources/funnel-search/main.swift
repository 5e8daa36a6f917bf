// funnel-search: hpsearch with one more model family, `funnel`: dense layers whose width shrinks
// geometrically from `start_width` by `shrink` per layer, `layers` of them. Every hpsearch
// command works, and a sweep file may say `model: funnel`:
//
//     swift build -c release
//     .build/release/funnel-search run funnel.yaml            # or under mpirun: every rank registers it
import Foundation
import HPSearchKit

struct FunnelFamily: ModelFamily {
    let name = "funnel"
    let parameters: [TrainingParameter] = [
        .init("start_width", field: "startWidth", .integer(min: 1), default: .int(256), help: "units of the first hidden layer"),
        .init("layers", field: "layers", .integer(min: 1), default: .int(3), help: "hidden layers"),
        .init("shrink", field: "shrink", .number(min: 0, max: 1, openMin: true), default: .double(0.5),
              help: "each hidden layer's width ÷ the previous one's"),
    ]

    /// layers × (Dense → [batch norm] → activation → [dropout]), widths start_width·shrinkᵏ (at
    /// least 1), then hpsearch's output layer (biases at the class priors, as the recipe says).
    func build(_ config: TrainingConfig, for shape: DataShape, rng: inout RNG) throws -> (model: Sequential, cost: ModelCost) {
        let start = config.integer("start_width"), layers = config.integer("layers")
        let shrink = config.value("shrink")?.doubleValue ?? 0.5
        var stack = ModelBuilder.LayerStack(config, features: shape.featureCount)
        for k in 0..<layers {
            stack.hidden(max(1, Int((Double(start) * pow(shrink, Double(k))).rounded())), rng: &rng)
        }
        return stack.finish(shape, rng: &rng)
    }
}

HPSearchKit.main(registering: [FunnelFamily()])
