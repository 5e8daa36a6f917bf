// TaskKind: what a sweep's model predicts — the sweep file's top-level `task:`.

/// `classification` (the default): integer or text labels, one column, softmax over the classes.
/// `regression`: one or more real-valued target columns (standardised on the training split for
/// training, reported in their own units), trained with `loss: mse | huber | mae`.
public enum TaskKind: String, Sendable, Hashable, CaseIterable {
    case classification, regression
}
