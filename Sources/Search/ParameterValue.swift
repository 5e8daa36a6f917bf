// ParameterValue: one hyperparameter's value, as the sweep file, the CLI and the trial store write it.

/// One hyperparameter value. YAML scalars map as: int → `.int`, float → `.double`, bool → `.bool`,
/// anything else (including quoted numbers such as `"1"`) → `.string`.
///
/// Encodes as a bare JSON value (`3`, `0.001`, `"adam"`, `true`). JSON does not keep `1.0` apart
/// from `1`, so a `.double` with an integral value decodes as `.int`; `Distribution.canonical(_:)`
/// gives the value back in its parameter's own form.
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)

    /// The value as a number: `.int` or `.double`; nil for strings and bools.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        case .string, .bool: nil
        }
    }

    /// The value as an integer: `.int`, or a `.double` with an integral value that fits in `Int`.
    public var intValue: Int? {
        switch self {
        case .int(let i): i
        case .double(let d): Int(exactly: d)
        case .string, .bool: nil
        }
    }

    /// The string of a `.string`; nil otherwise (numbers are not converted).
    public var stringValue: String? {
        if case .string(let s) = self { s } else { nil }
    }

    /// The flag of a `.bool`; nil otherwise.
    public var boolValue: Bool? {
        if case .bool(let b) = self { b } else { nil }
    }

    /// The value as the sweep file would write it: `3`, `0.001`, `adam`, `true`.
    public var description: String {
        switch self {
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        case .string(let s): s
        case .bool(let b): "\(b)"
        }
    }

    /// For messages: strings in single quotes (`'adam'`), other values as `description`.
    var quoted: String {
        if case .string(let s) = self { "'\(s)'" } else { description }
    }

    /// Equal, or both numbers with the same value (`.int(2)` matches `.double(2.0)`).
    func matches(_ other: ParameterValue) -> Bool {
        if self == other { return true }
        guard let a = doubleValue, let b = other.doubleValue else { return false }
        return a == b
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let i): try container.encode(i)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .bool(let b): try container.encode(b)
        }
    }
}

extension Double {
    /// For messages: integral values without a fraction (`64`, not `64.0`), others as Swift prints them.
    var compact: String {
        if let i = Int(exactly: self), Swift.abs(self) < 1e15 { return "\(i)" }
        return "\(self)"
    }
}

extension ParameterValue {
    /// The value as JSONSerialization takes it.
    public var jsonValue: Any {
        switch self {
        case .int(let v): return v
        case .double(let v): return v
        case .string(let v): return v
        case .bool(let v): return v
        }
    }
}
