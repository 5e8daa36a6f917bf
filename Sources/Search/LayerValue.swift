// LayerValue: one written layer argument — its expression, text, path and location — and its
// typed evaluation (whole numbers ≥ 1, a padding, a rate in [0, 1), an activation name).

/// A layer argument as written in the sweep file.
public struct LayerValue: Sendable, Hashable, CustomStringConvertible {
    public var expression: LayerExpression
    /// The dotted path, for messages: `model.layers[0].conv2d.channels`.
    public var path: String
    /// Where the value is written.
    public var location: SourceLocation

    public init(expression: LayerExpression, path: String, location: SourceLocation) {
        self.expression = expression
        self.path = path
        self.location = location
    }

    public var description: String { expression.description }

    /// The kinds of value a layer argument takes.
    public enum ArgumentType: Sendable, Hashable {
        /// A whole number ≥ 1 (units, channels, kernel, size, stride, vocabulary, dim, repeat count).
        case count
        /// `same`, `valid` or a whole number ≥ 0 of pixels.
        case padding
        /// A number in [0, 1).
        case rate
        /// One of `LayerKind.activationNames`.
        case activation
        /// true or false (also 1 or 0).
        case flag
    }

    /// The value under `configuration`, checked against `type`; a `SweepSpecError` at the value
    /// (naming the parameters' values when it references any) when it does not fit.
    public func evaluate(as type: ArgumentType, in configuration: Configuration) throws -> EvaluatedArgument {
        func fail(_ message: String) -> SweepSpecError {
            var names: [String] = []
            for r in expression.references where !names.contains(r.name) { names.append(r.name) }
            let when = names.isEmpty ? "" : " when " + names.map { "\($0) = \(configuration[$0]?.description ?? "none")" }
                .joined(separator: ", ")
            return SweepSpecError(location: location, message: "'\(path)' (\(expression))\(when): \(message)")
        }
        let result: LayerExpression.Result
        do { result = try expression.evaluate(in: configuration) } catch { throw fail(error.message) }
        switch (type, result) {
        case (.count, .number(let x)), (.padding, .number(let x)):
            let least = type == .count ? 1 : 0
            let whole = x.rounded()
            guard Swift.abs(x - whole) <= 1e-9 * Swift.max(1, Swift.abs(x)), let i = Int(exactly: whole) else {
                throw fail("is \(x.compact), not a whole number; '/' divides exactly, so choose values that divide evenly")
            }
            guard i >= least else { throw fail("is \(i); it must be a whole number ≥ \(least)") }
            return .integer(i)
        case (.padding, .name(let s)):
            guard s == "same" || s == "valid" else {
                throw fail("is '\(s)'" + NameSuggestion.hint(s, among: ["same", "valid"],
                                                             then: "expected same, valid or a whole number ≥ 0"))
            }
            return .name(s)
        case (.rate, .number(let x)):
            guard x >= 0 && x < 1 else { throw fail("is \(x.compact); a rate must lie in [0, 1)") }
            return .number(x)
        case (.activation, .name(let s)):
            guard LayerKind.activationNames.contains(s) else {
                throw fail("is '\(s)', not an activation" + NameSuggestion.hint(
                    s, among: LayerKind.activationNames, then: "expected " + YAMLField.list(LayerKind.activationNames, "or")))
            }
            return .name(s)
        case (.flag, .name(let s)):
            guard s == "true" || s == "false" else { throw fail("is '\(s)'; expected true or false") }
            return .name(s)
        case (.flag, .number(let x)):
            guard x == 0 || x == 1 else { throw fail("is \(x.compact); expected true or false") }
            return .name(x == 1 ? "true" : "false")
        case (.activation, .number(let x)):
            throw fail("is the number \(x.compact); expected an activation: " + YAMLField.list(LayerKind.activationNames, "or"))
        case (_, .name(let s)):
            throw fail("is the name '\(s)'; expected a number")
        }
    }
}

/// A layer argument's evaluated value.
public enum EvaluatedArgument: Sendable, Hashable {
    case integer(Int)
    case number(Double)
    case name(String)

    var integer: Int { if case .integer(let i) = self { i } else { 0 } }
    var number: Double { if case .number(let x) = self { x } else { 0 } }
    var name: String { if case .name(let s) = self { s } else { "" } }
}
