// ModelVocabulary: which hyperparameters each model accepts (defined by Training, checked here).

/// Model name → the parameter names that model's builder reads. The sweep file's `model` must be a
/// key, and every name under `parameters` (and `distill.student`) must be in that model's set.
public typealias ModelVocabulary = [String: Set<String>]
