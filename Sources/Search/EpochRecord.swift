// EpochRecord: one epoch of one trial, from the trainer that produces it to the worker's report to
// rank 0 and the store that keeps it.

/// One epoch of one trial: the training averages and a full pass over the validation split.
public struct EpochRecord: Sendable, Equatable, Codable {
    /// The trial's index in the sweep (0 for a trainer run outside a sweep).
    public var trial: Int
    /// 1-based.
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    /// The learning rate at the epoch's last step.
    public var learningRate: Double
    /// Wall time of the epoch, validation included.
    public var seconds: Double
    /// Training examples per second (validation excluded). The trainer's measure: not coded (the
    /// wire and the store do not carry it), 0 in a record read back from them.
    public var examplesPerSecond: Double = 0
    /// The task's further validation metrics by name (`val_auc`, `val_f1` for two classes), each
    /// over the whole validation split; empty when the task computes none beyond loss and accuracy.
    public var metrics: [String: Double] = [:]

    enum CodingKeys: String, CodingKey {
        case trial, epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy, learningRate, seconds, metrics
    }

    /// Encodes the coded fields; `metrics` only when there are some, so records without them
    /// encode exactly as before it existed (saved training states keep their bytes).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(trial, forKey: .trial)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(trainLoss, forKey: .trainLoss)
        try c.encode(trainAccuracy, forKey: .trainAccuracy)
        try c.encode(validationLoss, forKey: .validationLoss)
        try c.encode(validationAccuracy, forKey: .validationAccuracy)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(seconds, forKey: .seconds)
        if !metrics.isEmpty { try c.encode(metrics, forKey: .metrics) }
    }

    /// The value of the sweep metric at this epoch (NaN when the epoch does not have it).
    public func value(of metric: MetricSpec) -> Double {
        metric.value(validationLoss: validationLoss, validationAccuracy: validationAccuracy, metrics: metrics)
    }

    public init(trial: Int, epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double,
                validationAccuracy: Double, learningRate: Double, seconds: Double, examplesPerSecond: Double = 0) {
        self.trial = trial
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
        self.examplesPerSecond = examplesPerSecond
    }

    /// Decodes the coded fields; a missing `trial` (JSON written before records carried one,
    /// such as the epoch metrics in old training states) is 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(trial: try c.decodeIfPresent(Int.self, forKey: .trial) ?? 0, epoch: try c.decode(Int.self, forKey: .epoch),
                  trainLoss: try c.decode(Double.self, forKey: .trainLoss), trainAccuracy: try c.decode(Double.self, forKey: .trainAccuracy),
                  validationLoss: try c.decode(Double.self, forKey: .validationLoss),
                  validationAccuracy: try c.decode(Double.self, forKey: .validationAccuracy),
                  learningRate: try c.decode(Double.self, forKey: .learningRate), seconds: try c.decode(Double.self, forKey: .seconds))
        metrics = try c.decodeIfPresent([String: Double].self, forKey: .metrics) ?? [:]
    }
}

