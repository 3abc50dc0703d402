"""Notebook 05's self-check: singular values against eigenvalues, σ_max > 1 with tanh, what an
exploding step leaves behind, what clipping does, and clipping by one global norm."""

from course_lib.quiz import Choice, Mistake, MultipleChoice, Numeric, Quiz

QUIZ = Quiz("Self-check: vanishing and exploding gradients", (
    MultipleChoice(
        "Every eigenvalue of W<sub>aa</sub> is 0.9 (its spectral radius ρ = 0.9). A tanh RNN rests at a = 0, "
        "so that g<sub>1</sub>′ = 1. What can you say about ‖∂a<sup>⟨T⟩</sup>/∂a<sup>⟨t⟩</sup>‖ over the "
        "first dozens of steps back?",
        (
            Choice("it shrinks at least as fast as 0.9<sup>T−t</sup>",
                   why="That bound holds with the largest singular value σ<sub>max</sub>, not with ρ. The "
                       "notebook's Jordan-like block has ρ = 0.9, and its product grows above 10 before it "
                       "decays."),
            Choice("it explodes, since ρ is close to 1",
                   why="With ρ &lt; 1 the powers W<sub>aa</sub><sup>k</sup> do go to 0 in the end: the long "
                       "run decays. What ρ cannot tell you is how large the product gets on the way."),
            Choice("nothing is guaranteed: if W<sub>aa</sub> is not normal, σ<sub>max</sub> can be above 1 and "
                   "the product can grow for dozens of steps before it decays", correct=True,
                   why="The eigenvalues decide only what W<sub>aa</sub><sup>k</sup> does for large k. A "
                       "non-normal W<sub>aa</sub> (a random Gaussian one, too) can have σ<sub>max</sub> &gt; 1 "
                       "&gt; ρ; to bound every step, bound σ<sub>max</sub>, the spectral norm."),
            Choice("it stays 1, since g<sub>1</sub>′ = 1 at rest",
                   why="g<sub>1</sub>′ = 1 removes the tanh's damping, but each factor is still "
                       "diag(g<sub>1</sub>′) W<sub>aa</sub>: the product is W<sub>aa</sub><sup>k</sup>, which "
                       "is not the identity."),
        ),
    ),
    MultipleChoice(
        "A tanh RNN has W<sub>aa</sub> = 1.1 Q, Q orthogonal (every singular value 1.1), and reads 60 steps of "
        "input. Does ‖∂a<sup>⟨60⟩</sup>/∂a<sup>⟨0⟩</sup>‖ explode?",
        (
            Choice("yes: it grows as 1.1<sup>60</sup> ≈ 304",
                   why="1.1<sup>T−t</sup> is only the upper bound. It is reached by the linear RNN "
                       "(g<sub>1</sub> = identity); with tanh, g<sub>1</sub>′ &lt; 1 wherever units saturate."),
            Choice("not necessarily: σ<sub>max</sub> &gt; 1 is necessary for exploding, not sufficient; in the "
                   "notebook this network still vanished", correct=True,
                   why="Saturated units have g<sub>1</sub>′ &lt; 1, so each factor diag(g<sub>1</sub>′) "
                       "W<sub>aa</sub> stretches less than W<sub>aa</sub> alone. The notebook's run with "
                       "σ<sub>max</sub> = 1.1 ended below 1; with 1.5 it grew."),
            Choice("never: tanh keeps a<sup>⟨t⟩</sup> in [−1, 1], so its gradient stays bounded",
                   why="Bounded states do not bound the gradient: in tanh's linear region g<sub>1</sub>′ ≈ 1. "
                       "The notebook's σ<sub>max</sub> = 1.5 run grew, and W<sub>aa</sub> = 2Q at rest "
                       "overflowed to inf over 1100 steps."),
            Choice("only if the network has many layers",
                   why="The source tutorial says \"layers\"; for an RNN read time steps: unrolled in time it has "
                       "one factor diag(g<sub>1</sub>′) W<sub>aa</sub> per step, the same W<sub>aa</sub> in each."),
        ),
    ),
    MultipleChoice(
        "The badly started language model, trained without clipping: its first update moved the parameters by "
        "thousands. Afterwards its loss fell a little, then stalled far above the clipped runs. Why?",
        (
            Choice("its parameters became NaN",
                   why="The trainer stops at the first non-finite loss or gradient norm; this run went on "
                       "with finite numbers, and its loss even fell below the unigram model's."),
            Choice("it memorised the 200 training sentences",
                   why="Its held-out loss ended within 0.2 nats of its training loss, as the clipped runs' did: "
                       "it did not memorise, it stopped learning."),
            Choice("the one huge step drove every hidden unit into saturation: g<sub>1</sub>′ ≈ 0, so nothing "
                   "flows back through time and only the output layer still learns", correct=True,
                   why="Over 99 % of its hidden values sat at |a| &gt; 0.99 with mean g<sub>1</sub>′ below "
                       "10<sup>−6</sup>: the exploding gradient, in one step, produced a network whose gradients "
                       "vanish."),
        ),
    ),
    MultipleChoice(
        "Which statement about gradient clipping (梯度裁剪) is right?",
        (
            Choice("clipping by value keeps the gradient's direction, like clipping by norm",
                   why="Cutting the large entries and keeping the small ones turns the gradient: "
                       "g = (4, 1) clipped by value at 1 becomes (1, 1), turned by more than 30°."),
            Choice("clipping also cures vanishing gradients, by scaling the small ones up",
                   why="Clipping only ever shrinks a gradient that is too large; a tiny gradient is left as "
                       "it is, and a rescaled tiny gradient would still carry no long-range signal."),
            Choice("clipping by norm scales each array by its own norm",
                   why="It uses one global norm ‖g‖ of all the arrays together and one factor "
                       "max_norm / ‖g‖ for all of them: that is what keeps the update's direction."),
            Choice("clipping by norm multiplies every gradient by max_norm / ‖g‖ when ‖g‖ &gt; max_norm: the "
                   "direction is kept, only the step length changes", correct=True,
                   why="Pascanu et al. (2013): one factor for all the arrays, applied only above the "
                       "threshold. It rescues exploding gradients; it does nothing for vanishing ones."),
        ),
    ),
    Numeric(
        "A gradient has two arrays, dW<sub>ax</sub> = [[4, 3]] and db<sub>a</sub> = [[12]]. It is clipped by "
        "norm with max_norm = 1. What does the entry 4 of dW<sub>ax</sub> become? (A fraction such as 1/2 "
        "is accepted.)",
        answer=4 / 13,
        tolerance=0.002,
        why="The global norm is √(4² + 3² + 12²) = 13 &gt; 1, so every entry is multiplied by 1/13: "
            "4 becomes 4/13 ≈ 0.308.",
        hint="First the global norm ‖g‖ of all the entries of both arrays together; then every entry times "
             "max_norm / ‖g‖.",
        mistakes=(
            Mistake(0.8, "That clipped dW<sub>ax</sub> by its own norm, 5: clipping by norm uses one global "
                         "norm for all the arrays together, here 13."),
            Mistake(1, "That is clipping by value at 1 (every entry cut into [−1, 1]); clipping by norm scales "
                       "all the entries by one factor."),
            Mistake(4, "That left it unchanged: the global norm, 13, is above max_norm = 1, so the gradient is "
                       "scaled down."),
            Mistake(4 / 19, "That divided by the sum of the absolute values, 19; the norm is the square root of "
                            "the sum of squares, 13."),
        ),
    ),
))
