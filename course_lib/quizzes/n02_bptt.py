"""Notebook 02's self-check: the per-step binary cross-entropy, tanh' read off the cache, the two
gradients that meet in a⟨t⟩, dW_aa's a⟨t−1⟩ and its sum over steps, and ∂a⟨t⟩/∂W_ax as a tensor."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: backpropagation through time", (
    Numeric(
        "The tagger gives ŷ<sup>⟨3⟩</sup> = 0.8 to 和, which is not part of a name (y<sup>⟨3⟩</sup> = 0). What is "
        "its loss L<sup>⟨3⟩</sup> = −y log ŷ − (1 − y) log(1 − ŷ), in natural logs? (Two decimals are enough.)",
        answer=1.6094379124341003,
        tolerance=0.006,
        why="With y = 0 only the second term is left: L = −log(1 − 0.8) = −log 0.2 ≈ 1.61. The tagger is confident "
            "and wrong, so the loss is large.",
        hint="Put y = 0 into the formula: which of the two terms is left, and what is 1 − ŷ?",
        mistakes=(
            Mistake(0.2231435513142097, "That is −log 0.8, the y = 1 term: as if 和 were part of a name. With "
                                        "y = 0 the loss is −log(1 − ŷ)."),
            Mistake(0.6989700043360187, "That is −log<sub>10</sub> 0.2: the course's logs are natural logs "
                                        "(<code>np.log</code>)."),
            Mistake(-1.6094379124341003, "The sign: log 0.2 is negative, and the minus in front of the formula "
                                         "makes the loss positive."),
        ),
    ),
    MultipleChoice(
        "The cache keeps a<sup>⟨t⟩</sup> = tanh(z<sup>⟨t⟩</sup>), not z<sup>⟨t⟩</sup>. Given da<sup>⟨t⟩</sup> "
        "(<code>da_next</code>), which dz<sup>⟨t⟩</sup> is right?",
        (
            Choice("<code>da_next * (1 - np.tanh(a_next)**2)</code>",
                   why="That applies tanh a second time: a<sup>⟨t⟩</sup> is already tanh(z<sup>⟨t⟩</sup>), so this "
                       "evaluates tanh′ at the wrong point, and all five gradients of the step come out off."),
            Choice("<code>da_next / (1 - a_next**2)</code>",
                   why="The chain rule multiplies by the derivative; dividing by it gives a gradient that blows up "
                       "wherever the unit saturates."),
            Choice("<code>da_next * (1 - a_next**2)</code>", correct=True,
                   why="tanh′(z) = 1 − tanh²(z) = 1 − (a<sup>⟨t⟩</sup>)², read straight off the cache, elementwise "
                       "with the upstream da<sup>⟨t⟩</sup>."),
            Choice("<code>1 - a_next**2</code>",
                   why="That is the source tutorial's line with the upstream factor left out: it is the gradient of "
                       "the sum of a<sup>⟨t⟩</sup> (da = 1), not of the cost J."),
        ),
    ),
    MultipleChoice(
        "In BPTT over T<sub>x</sub> steps, what gradient reaches the hidden state a<sup>⟨t⟩</sup> of a step t "
        "before the last?",
        (
            Choice("W<sub>ya</sub><sup>T</sup>(ŷ<sup>⟨t⟩</sup> − y<sup>⟨t⟩</sup>) plus the <code>da_prev</code> of "
                   "step t+1, W<sub>aa</sub><sup>T</sup> dz<sup>⟨t+1⟩</sup>", correct=True,
                   why="a<sup>⟨t⟩</sup> feeds two things, this step's output and the next step, so two gradients "
                       "meet there and add. Only at the last step is the second one zero."),
            Choice("W<sub>ya</sub><sup>T</sup>(ŷ<sup>⟨t⟩</sup> − y<sup>⟨t⟩</sup>) alone: each step's own loss",
                   why="That is the most common BPTT bug, the forgotten path from t+1: every cell is right on its "
                       "own, yet the gradient check shows relative errors of order 10<sup>−1</sup>."),
            Choice("the <code>da_prev</code> of step t+1 alone",
                   why="That drops this step's own loss L<sup>⟨t⟩</sup>, which also depends on a<sup>⟨t⟩</sup> "
                       "through ŷ<sup>⟨t⟩</sup>."),
            Choice("the <code>da_prev</code> of step t−1",
                   why="The gradient flows right to left, from later steps to earlier ones: step t−1 is handled "
                       "after step t, and receives from it, not the other way round."),
        ),
    ),
    MultipleChoice(
        "How does BPTT build dW<sub>aa</sub>, the gradient of the weight shared by all steps?",
        (
            Choice("dz<sup>⟨T<sub>x</sub>⟩</sup> a<sup>⟨T<sub>x</sub>−1⟩</sup><sup>T</sup>, from the last step only",
                   why="W<sub>aa</sub> acts at every step, so every step contributes to its gradient; the last step "
                       "is only where the loop starts."),
            Choice("the sum over all steps of dz<sup>⟨t⟩</sup> a<sup>⟨t⟩</sup><sup>T</sup>",
                   why="At step t W<sub>aa</sub> multiplies a<sup>⟨t−1⟩</sup>, so that is the one to transpose; "
                       "with a<sup>⟨t⟩</sup><sup>T</sup> the gradient check fails (one of the errata)."),
            Choice("the mean over all steps of dz<sup>⟨t⟩</sup> a<sup>⟨t−1⟩</sup><sup>T</sup>",
                   why="The cost J sums the losses over the steps, so its gradient sums too (the += of the "
                       "equations); a mean would divide it by T<sub>x</sub>."),
            Choice("the sum over all steps of dz<sup>⟨t⟩</sup> a<sup>⟨t−1⟩</sup><sup>T</sup>", correct=True,
                   why="Each step contributes dz<sup>⟨t⟩</sup> times the state W<sub>aa</sub> multiplied there, "
                       "a<sup>⟨t−1⟩</sup>; the same weight acts at every step, so the contributions add up."),
        ),
    ),
    Numeric(
        "The notebook's cell has n<sub>a</sub> = 4 and n<sub>x</sub> = 5. For one example, how many numbers does the "
        "true derivative ∂a<sup>⟨t⟩</sup>/∂W<sub>ax</sub> hold?",
        answer=80,
        why="One index for the entry of a<sup>⟨t⟩</sup> (4) and two for the entry of W<sub>ax</sub> (4 × 5): a "
            "three-index array of 4 × 4 × 5 = 80. Contracted with da<sup>⟨t⟩</sup> it gives the 4 × 5 matrix "
            "∂J/∂W<sub>ax</sub> = dz x<sup>⟨t⟩</sup><sup>T</sup>.",
        hint="Every entry of a<sup>⟨t⟩</sup> has a derivative with respect to every entry of W<sub>ax</sub>.",
        mistakes=(
            Mistake(20, "That is the shape of W<sub>ax</sub>, 4 × 5: the gradient ∂J/∂W<sub>ax</sub> of a scalar "
                        "cost. The derivative of the vector a<sup>⟨t⟩</sup> has one more index."),
            Mistake(4, "That is the size of a<sup>⟨t⟩</sup>; each of its 4 entries has a derivative with respect to "
                       "each of W<sub>ax</sub>'s 20 entries."),
            Mistake(9, "That adds n<sub>a</sub> and n<sub>x</sub>; the indices multiply: 4 × 4 × 5."),
        ),
    ),
))
