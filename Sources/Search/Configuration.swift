// Configuration: one trial's hyperparameters, by name.

/// The values of one trial's hyperparameters. Inactive conditional parameters are absent.
/// Encodes as a flat JSON object of `ParameterValue`s.
public struct Configuration: Sendable, Hashable, Codable, CustomStringConvertible {
    public var values: [String: ParameterValue]

    public init(_ values: [String: ParameterValue] = [:]) {
        self.values = values
    }

    public subscript(name: String) -> ParameterValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// `a=1, b=adam`, sorted by name.
    public var description: String {
        values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: ParameterValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
