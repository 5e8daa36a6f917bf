// LayerExpression: one layer argument's value in the sweep file's layer language — a literal, a
// `${parameter}` or arithmetic of them — and its evaluation against a trial's configuration.

/// The syntax tree of a layer argument (grammar in `LayerExpressionParser`).
///
/// Evaluation is in real numbers: `/` divides exactly (`${width} / 2` is 32.5 for width 65), and
/// the argument that takes the result decides whether it must be whole (`LayerValue`).
public indirect enum LayerExpression: Sendable, Hashable, CustomStringConvertible {
    /// A number as written (`3`, `0.5`, `1e-3`).
    case number(Double)
    /// A bare name, the whole value: `same`, `valid`, `relu`.
    case word(String)
    /// `${name}`, at the `$`.
    case parameter(String, SourceLocation)
    /// `-x`.
    case negate(LayerExpression)
    /// `a + b`, `a - b`, `a * b`, `a / b`, with the operator's location.
    case binary(Operator, LayerExpression, LayerExpression, SourceLocation)

    public enum Operator: String, Sendable, Hashable {
        case add = "+", subtract = "-", multiply = "*", divide = "/"
    }

    /// What an expression evaluates to.
    public enum Result: Sendable, Hashable, CustomStringConvertible {
        case number(Double)
        case name(String)

        public var description: String {
            switch self {
            case .number(let x): x.compact
            case .name(let s): "'\(s)'"
            }
        }
    }

    /// The parameters referenced, in writing order (repeats kept).
    public var references: [LayerReference] {
        switch self {
        case .number, .word: []
        case .parameter(let name, let location): [LayerReference(name: name, location: location)]
        case .negate(let e): e.references
        case .binary(_, let a, let b, _): a.references + b.references
        }
    }

    /// The value under `configuration`. Throws a `LayerExpression.Failure` (a message; the caller
    /// places it) for a parameter without a value, a name in arithmetic, a division by zero or a
    /// result that is not finite.
    public func evaluate(in configuration: Configuration) throws(Failure) -> Result {
        switch self {
        case .number(let x): return .number(x)
        case .word(let s): return .name(s)
        case .parameter(let name, _):
            guard let value = configuration[name] else {
                throw Failure(message: "parameter '\(name)' has no value in this configuration")
            }
            switch value {
            case .int(let i): return .number(Double(i))
            case .double(let x): return .number(x)
            case .string(let s): return .name(s)
            case .bool(let b):
                throw Failure(message: "${\(name)} is the boolean \(b); layer arguments take numbers or names")
            }
        case .negate(let e):
            return .number(-(try e.number(in: configuration, for: "'-'")))
        case .binary(let op, let a, let b, _):
            let x = try a.number(in: configuration, for: "'\(op.rawValue)'")
            let y = try b.number(in: configuration, for: "'\(op.rawValue)'")
            let z: Double
            switch op {
            case .add: z = x + y
            case .subtract: z = x - y
            case .multiply: z = x * y
            case .divide:
                guard y != 0 else { throw Failure(message: "divides \(x.compact) by zero") }
                z = x / y
            }
            guard z.isFinite else { throw Failure(message: "overflows (\(x.compact) \(op.rawValue) \(y.compact))") }
            return .number(z)
        }
    }

    private func number(in configuration: Configuration, for op: String) throws(Failure) -> Double {
        switch try evaluate(in: configuration) {
        case .number(let x): return x
        case .name(let s): throw Failure(message: "\(self) is the name '\(s)', which \(op) cannot take; arithmetic takes numbers")
        }
    }

    /// A reason an expression has no value.
    public struct Failure: Error, Sendable, Hashable {
        public var message: String
    }

    /// The expression in the sweep file's syntax, fully parenthesised where nested.
    public var description: String {
        switch self {
        case .number(let x): x.compact
        case .word(let s): s
        case .parameter(let name, _): "${\(name)}"
        case .negate(let e): "-\(e.nested)"
        case .binary(let op, let a, let b, _): "\(a.nested) \(op.rawValue) \(b.nested)"
        }
    }

    private var nested: String {
        if case .binary = self { return "(\(self))" }
        return description
    }
}

/// A `${name}` in a layer argument, where its `$` is written.
public struct LayerReference: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}
