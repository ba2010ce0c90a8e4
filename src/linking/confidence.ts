/**
 * Confidence that the top-ranked issue is right: a logistic function of the top score
 * and its margin over the runner-up. Coefficients are fitted by `worklens eval linking
 * --fit-confidence` (docs/evaluation.md records the fit on the Nutch data).
 */
export interface ConfidenceModel {
  intercept: number;
  topScore: number;
  margin: number;
}

export const DEFAULT_CONFIDENCE: ConfidenceModel = { intercept: -1.16, topScore: 3.42, margin: 9.22 };

export function confidenceOf(model: ConfidenceModel, topScore: number, secondScore: number): number {
  const z = model.intercept + model.topScore * topScore + model.margin * (topScore - secondScore);
  return 1 / (1 + Math.exp(-z));
}

/** Fit the coefficients by gradient descent on log loss: `correct` is whether the top candidate was right. */
export function fitConfidence(samples: readonly { top: number; second: number; correct: boolean }[], iterations = 3000): ConfidenceModel {
  let model: ConfidenceModel = { intercept: 0, topScore: 0, margin: 0 };
  const rate = 0.5;
  for (let step = 0; step < iterations; step++) {
    let gi = 0;
    let gt = 0;
    let gm = 0;
    for (const s of samples) {
      const error = confidenceOf(model, s.top, s.second) - (s.correct ? 1 : 0);
      gi += error;
      gt += error * s.top;
      gm += error * (s.top - s.second);
    }
    const n = Math.max(1, samples.length);
    model = {
      intercept: model.intercept - (rate * gi) / n,
      topScore: model.topScore - (rate * gt) / n,
      margin: model.margin - (rate * gm) / n,
    };
  }
  return model;
}
