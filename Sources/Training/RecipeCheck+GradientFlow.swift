// Check 9, gradient flow at initialisation: one backward pass of the fixed batch through the
// untrained network, each parametrised layer's gradient norm and the units that cannot pass a
// gradient (dead ReLUs, saturated tanh/sigmoid), judged by the training-health rules.
import Foundation
import NN
import Search

extension RecipeCheck {
    public func gradientFlow() throws -> CheckResult {
        let net = try model(config, stream: 1)
        let sequential = net as? Sequential ?? Sequential([net])
        let health = HealthProbe(data: data, loss: config.loss).measure(sequential, trial: 0, epoch: 0)
        let layers = health.layers
        guard let first = layers.first, let last = layers.last else {
            return CheckResult(id: 9, name: "gradient_flow", status: .warn, summary: "the model has no trainable layer")
        }
        let ratio = first.gradientNorm / last.gradientNorm
        let dead = layers.map(\.deadFraction).filter(\.isFinite).max() ?? .nan
        let saturated = layers.map(\.saturation).filter(\.isFinite).max() ?? .nan
        var values: [String: Double] = ["layers": Double(layers.count), "first_grad_norm": first.gradientNorm,
                                        "last_grad_norm": last.gradientNorm, "first_to_last_ratio": ratio]
        if dead.isFinite { values["max_dead_fraction"] = dead }
        if saturated.isFinite { values["max_saturation"] = saturated }
        let flags = HealthRules().flags([health])
        let profile = layers.map { "\($0.label) \(String(format: "%.3g", $0.gradientNorm))" }.joined(separator: ", ")
        var summary = "gradient norms at init, first to last: " + (layers.count > 6
            ? layers.prefix(3).map { "\($0.label) \(String(format: "%.3g", $0.gradientNorm))" }.joined(separator: ", ") + ", …, "
              + layers.suffix(2).map { "\($0.label) \(String(format: "%.3g", $0.gradientNorm))" }.joined(separator: ", ")
            : profile)
        summary += String(format: " (first/last %.3g)", ratio)
        if dead.isFinite { summary += String(format: "; dead ReLU units up to %.1f%%", 100 * dead) }
        if saturated.isFinite { summary += String(format: "; saturated up to %.1f%%", 100 * saturated) }
        let nonFinite = !layers.allSatisfy { $0.gradientNorm.isFinite } || !health.loss.isFinite
        if nonFinite || first.gradientNorm == 0 {
            return CheckResult(id: 9, name: "gradient_flow", status: .fail, summary: summary, values: values,
                               hint: nonFinite ? "gradients are NaN or infinite at initialisation: look for a log or division of zero, or inputs that are not standardised"
                                    : "no gradient reaches the first layer: its units are dead (a large negative bias?) or a layer blocks the gradient")
        }
        if !flags.isEmpty || (saturated.isFinite && saturated >= 0.5) {
            let why = flags.map(\.message) + (saturated.isFinite && saturated >= 0.5 ? [String(format: "%.1f%% of a tanh/sigmoid layer's outputs are saturated", 100 * saturated)] : [])
            return CheckResult(id: 9, name: "gradient_flow", status: .warn, summary: summary + " — " + why.joined(separator: "; "), values: values,
                               hint: "use ReLU-family activations with He initialisation, batch norm or residual connections, or a shallower net; start biases at 0")
        }
        return CheckResult(id: 9, name: "gradient_flow", status: .pass, summary: summary, values: values)
    }
}
