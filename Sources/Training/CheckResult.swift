// CheckResult: one row of `hpsearch check`'s table.

public struct CheckResult: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Passed.
        case pass
        /// Passed, but something deserves a look (the exit status stays 0).
        case warn
        /// Failed: fix the pipeline before spending a cluster on it.
        case fail
    }

    /// 1…9, in the recipe's order.
    public var id: Int
    /// Short machine name: data, init_loss, baseline, overfit_batch, gradient, batch_independence, loss_decreases,
    /// baselines, gradient_flow.
    public var name: String
    public var status: Status
    /// One line with the numbers behind the verdict.
    public var summary: String
    /// The same numbers, for `--json`.
    public var values: [String: Double]
    /// What to do when it did not pass.
    public var hint: String?

    public init(id: Int, name: String, status: Status, summary: String, values: [String: Double] = [:], hint: String? = nil) {
        self.id = id
        self.name = name
        self.status = status
        self.summary = summary
        self.values = values
        self.hint = hint
    }
}
