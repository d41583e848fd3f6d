"""Exercise D, "Wat staat er in de weg?": quotes from earlier research (Ponzoni) in three themes."""

from bot.engine import AnswerIs, Flow, Kind, Quote, Step
from bot.i18n import N_

ORDER = 40

THEMES = (
    (
        "power",
        N_("Theme 1: an unequal power relation"),
        N_(
            "Volunteers are often called in only when the care for a family has got stuck, and are expected to do "
            "everything for nothing; some hope for a paid job."
        ),
        (
            Quote(
                N_("I get the impression that many volunteers actually hope for a paid position, while it is precisely the informal nature of their work that matters so much: that they are not tied to an institution but independent, that they can deal with time differently, that they do it out of love for their neighbour. Those are the reasons people confide in them. Their position as a volunteer does have to be clear. When volunteers feel they should really be paid for the work they do, something goes wrong. First because that is an unrealistic expectation, but also because it does not fit the nature of their role."),
                N_("manager of a care organisation"),
            ),
            Quote(
                N_("What often happens now is that when family coaching has completely stalled and the care worker has nowhere left to go, they look for a volunteer who can help to get the conversation with the family going again. Nothing more. But I do not think it is right that volunteers are only called in when the care has stalled. It is a heavy task too. I think collaboration is possible, but then care workers must also be willing to listen to what they could do differently. Let me give them an information session for once."),
                N_("informal worker"),
            ),
            Quote(
                N_("I think professionals need us to be able to help people from the community well. But if you mean that seriously, you also have to think of a good arrangement for it. Not calling us in ad hoc as firefighters every time, but working seriously on partnership. We are always expected to do everything for nothing."),
                N_("informal worker"),
            ),
        ),
    ),
    (
        "loyalty",
        N_("Theme 2: loyalty and distance"),
        N_(
            "Professionals wait for key figures to send parents to them, which rarely happens. Parents come when key "
            "figures trust the step themselves, and when professionals come to talk, not to teach."
        ),
        (
            Quote(
                N_("The most important thing is that key figures from self-organisations are themselves convinced that the step towards us is not too big, and that they radiate that trust towards parents. If key figures themselves think the step is too big, it stays too big. And I think that is often the core of the problem."),
                N_("manager of a youth and family centre (CJG), Amsterdam"),
            ),
            Quote(
                N_("For me the signal to really invest in the collaboration is that key figures actually refer people to us. But in practice that almost never happens."),
                N_("manager of a youth and family centre (CJG), Amsterdam Zuidoost"),
            ),
            Quote(
                N_("The attitude of the professional must not be that of someone who comes to tell you how to raise your children, or the mothers drop out. The women are used to talking with each other informally, over a cup of tea. Those are the moments when they really dare to come forward with problems or questions. They will not do that at a formal course where an expert comes to tell them how it should be done. As an educator you have to be prepared to come and talk with them about raising children. You do not necessarily come to bring or take something; you come for a conversation, you actually join us."),
                N_("informal worker, Amsterdam Nieuw-West"),
            ),
            Quote(
                N_("I can imagine you have to take care not to get in too deep [in the collaboration with migrant organisations]. You have to stick to your own business; that seems to me the challenge. A self-organisation is of course very much within four walls, very private. As a professional you have to find your way in that… how shall I put it? That you also make people aware of how things work with us. The risk, it seems to me, is that you get stuck too much in their culture, while you want them to understand how we do things too. Because my experience, and I see it in meetings with migrant parents, is that it is very difficult for them at first, but in the end it works as a real eye-opener!"),
                N_("manager of a youth and family centre (CJG), Amsterdam Nieuw-West"),
            ),
        ),
    ),
    (
        "values",
        N_("Theme 3: sensitivity to other values and the position as a migrant"),
        N_(
            "Families may keep a care worker away out of prejudice; some care workers judge a situation at once, "
            "without looking carefully at its context."
        ),
        (
            Quote(
                N_("I think it is usually just prejudice. They see a white care worker and think: oh no, I don't want that. Because they once heard a story, or because they simply do not want interference. I must say, though, that some colleagues are a bit colour-blind. They are very shocked by certain situations and immediately think: this really cannot go on, intervene now! While you might look more carefully at the context, or at least start the conversation with the family in a different way."),
                N_("formal worker"),
            ),
        ),
    ),
)

QUOTES = tuple(quote for _id, _title, _gist, quotes in THEMES for quote in quotes)
# The eight quotes are some 750 words: on a phone, in a second language, the theme's gist is pushed
# and the quotes themselves come on demand (the meeting reads them together from the hand-out).
READ_QUOTES = N_("📖 Read the quotes")


def _theme_steps(theme_id: str, title, gist, quotes: tuple[Quote, ...]) -> tuple[Step, ...]:
    return (
        Step(
            id=f"{theme_id}_recognise",
            kind=Kind.YESNO,
            label=N_("{theme}: recognised?"),
            prompt=N_("{theme}. {gist} Do you recognise this?"),
            prompt_args=(("theme", title), ("gist", gist)),
            quotes=quotes,
            explain=READ_QUOTES,
        ),
        Step(
            id=f"{theme_id}_meaning",
            kind=Kind.TEXT,
            label=N_("{theme}: what it means for our collaboration"),
            prompt=N_("{theme}: what does it mean for your collaboration?"),
            prompt_args=(("theme", title),),
            optional=True,
            when=AnswerIs(f"d.{theme_id}_recognise", frozenset({"yes"})),  # not recognised: nothing to ask what it means
        ),
    )


FLOW = Flow(
    id="d",
    letter="D",
    title=N_("What stands in the way? (Wat staat er in de weg?)"),
    short=(),  # the quotes are read and discussed at the meeting; the pitfalls are chosen in E
    steps=(
        Step(
            id="intro",
            kind=Kind.INFO,
            label=N_("About this exercise"),
            prompt=N_(
                "What stands in the way? Quotes from earlier research by Ponzoni, in three themes. For each theme: "
                "do you recognise it, and what does it mean for your collaboration?"
            ),
        ),
        *(step for theme_id, title, gist, quotes in THEMES for step in _theme_steps(theme_id, title, gist, quotes)),
    ),
)
