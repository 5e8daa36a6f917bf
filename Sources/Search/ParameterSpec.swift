// ParameterSpec: one entry under `parameters:` in the sweep file.

/// One searched hyperparameter: its distribution, optional default, and the condition under
/// which it exists at all.
public struct ParameterSpec: Sendable, Hashable {
    public var name: String
    public var distribution: Distribution
    /// The value of the default configuration; the parser guarantees `distribution.contains` it.
    public var defaultValue: ParameterValue?
    /// Parameter name → allowed values. The parameter is active only when every named parameter
    /// is present and takes one of its listed values. Empty: always active.
    public var when: [String: [ParameterValue]]
    /// Where the parameter's name is written in the sweep file.
    public var location: SourceLocation

    public init(name: String, distribution: Distribution, defaultValue: ParameterValue? = nil,
                when: [String: [ParameterValue]] = [:],
                location: SourceLocation = SourceLocation(file: "", line: 0, column: 0)) {
        self.name = name
        self.distribution = distribution
        self.defaultValue = defaultValue
        self.when = when
        self.location = location
    }

    /// Whether every condition in `when` holds in `config`. A condition on a parameter absent from
    /// `config` (itself inactive) does not hold. Numbers compare by value (`2` matches `2.0`).
    public func isActive(in config: Configuration) -> Bool {
        when.allSatisfy { name, allowed in
            guard let value = config[name] else { return false }
            return allowed.contains { $0.matches(value) }
        }
    }

    /// `defaultValue`, else the distribution's median: the value of the default configuration.
    public var initialValue: ParameterValue { defaultValue ?? distribution.median }
}
