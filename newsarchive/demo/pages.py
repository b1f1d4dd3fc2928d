"""HTML of the demo site, in the platform's markup (docs/site-markup.md).

Plain f-strings with every text escaped: fast enough for a 100,000-article site.
"""

from __future__ import annotations

from html import escape

HEADER = """<header class="site-header">
  <a class="site-header__logo" href="/{locale}"><img src="/static/img/logo.png" alt="Diyaruna"></a>
  <nav class="site-nav"><ul class="site-nav__list">
    <li class="site-nav__item"><a class="site-nav__link" href="/{locale}/archives">Archives</a></li>
    <li class="site-nav__item"><a class="site-nav__link" href="/{locale}/rss">RSS</a></li>
  </ul></nav>
</header>"""
FOOTER = '<footer class="site-footer"><p class="site-footer__copyright">Diyaruna demo</p></footer>'


def _document(locale: str, direction: str, title: str, head: str, body: str) -> str:
    lang = "en-GB" if locale == "en_GB" else locale
    return (f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)} - Diyaruna</title>\n{head}</head>\n<body>\n"
            f"{HEADER.format(locale=locale)}\n<main class=\"main\">\n{body}\n</main>\n{FOOTER}\n</body>\n</html>\n")


def article_page(article, language) -> str:
    crumbs = "".join(
        f'<li class="breadcrumb__item"><a class="breadcrumb__link" href="{escape(article.section_url)}">'
        f"{escape(name)}</a></li>" for name in article.section_path
    )
    lead, *inline = article.photos or [None]
    body_parts = [_block(kind, text) for kind, text in article.blocks]
    for index, photo in enumerate(inline):  # in-body photos after the 1st, 3rd, ... paragraph
        body_parts.insert(min(len(body_parts), 1 + index * 3), _figure(photo, lead=False))
    body = f"""<article class="article">
  <nav class="breadcrumb"><ol class="breadcrumb__list">{crumbs}</ol></nav>
  <h1 class="article__title">{escape(article.title)}</h1>
  <div class="article__meta">
    {_byline(article.authors, language)}
    <p class="article__date">{escape(language.printed_date(article.published_date))}</p>
  </div>
  {_figure(lead, lead=True) if lead else ""}
  <div class="article__content">
    {"".join(body_parts)}
  </div>
  <ul class="article__share"><li class="share__item"><a class="share__link" href="https://www.facebook.com/sharer/sharer.php?u={escape(article.path)}">Share</a></li></ul>
  <div class="article__rating"><p class="rating__question">Do you like this article?</p></div>
</article>
{_comments_section(article.comments, language)}"""
    head = f'<link rel="canonical" href="{escape(article.path)}">\n'
    if article.modified_date:
        head += f'<meta property="article:modified_time" content="{article.modified_date}T12:00:00Z">\n'
    return _document(article.locale, language.direction, article.title, head, body)


def _block(kind: str, text: str) -> str:
    if kind == "heading":
        return f'<h3 class="article__subtitle">{escape(text)}</h3>\n'
    return f'<p class="article__p">{escape(text)}</p>\n'


def _byline(authors: list[str], language) -> str:
    if not authors:
        return ""
    spans = [f'<span class="article__author">{escape(name)}</span>' for name in authors]
    joined = spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + f" {language.and_word} {spans[-1]}"
    return f'<p class="article__byline">{language.byline_lead} {joined}</p>'


def _figure(photo, lead: bool) -> str:
    modifier = " article__media--lead" if lead else ""
    return (f'<figure class="article__media{modifier}"><img class="article__media--img" src="{escape(photo.path)}" '
            f'alt="{escape(photo.alt)}"><figcaption class="article__caption">{escape(photo.caption_printed)}'
            f"</figcaption></figure>\n")


def _comments_section(comments, language) -> str:
    total = _count(comments)
    return f"""<section class="comments" id="comments">
  <h4 class="comments__count">{escape(language.comment_count(total))}</h4>
  <form class="comment-form" action="/comments" method="post"><a class="comment-form__policy" href="/policy">Comment Policy</a>
    <span class="comment-form__required">* Denotes Required Field</span><textarea name="comment"></textarea>
    <span class="comment-form__counter">1500 / 1500</span></form>
  <ol class="comments__list">{"".join(_comment(c) for c in comments)}</ol>
</section>"""


def _count(comments) -> int:
    return sum(1 + _count(c.replies) for c in comments)


def _comment(comment) -> str:
    replies = f'<ol class="comment__replies">{"".join(_comment(r) for r in comment.replies)}</ol>' if comment.replies else ""
    return (f'<li class="comment" id="comment-{comment.id}" data-comment-id="{comment.id}">'
            f'<div class="comment__meta"><span class="comment__author">{escape(comment.author)}</span> '
            f'<time class="comment__date" datetime="{comment.posted_at}">{comment.posted_at[:16].replace("T", " ")}</time></div>'
            f'<div class="comment__body">{escape(comment.text)}</div>'
            f'<a class="comment__reply" href="#comments">Reply</a>{replies}</li>')


def listing_page(url_path, title, locale, links, page, page_count, language) -> str:
    blocks = "".join(
        f'<div class="article--block"><a href="{escape(href)}"><img src="/static/img/thumb.jpg" alt=""></a>'
        f'<a class="article__keyword" href="{escape(article.section_url)}">{escape(article.section_path[-1])}</a>'
        f'<h5 class="article__title"><a href="{escape(href)}">{escape(article.title)}</a></h5>'
        f'<p class="article__date">{escape(language.printed_date(article.published_date))}</p>'
        f'{_listing_signals(article, language)}</div>\n'
        for article, href in links
    )
    body = f'<h1 class="listing__title">{escape(title)}</h1>\n{blocks}{_pager(page, page_count)}'
    return _document(locale, language.direction, title, "", body)


def _listing_signals(article, language) -> str:
    """What a reader of the listing sees change: an "Updated" date and the comment counter."""
    updated = (f'<p class="article__updated">{escape(language.updated_word)} '
               f'{escape(language.printed_date(article.modified_date))}</p>' if article.modified_date else "")
    count = _count(article.comments)
    return f'{updated}<span class="article__comments">{escape(language.comment_count(count))}</span>'


def _pager(page: int, page_count: int) -> str:
    if page_count <= 1:
        return ""
    parts = ['<div class="pagination">']
    if page > 1:
        parts.append(f'<a class="pagination__prev" href="?page={page - 1}">Previous</a>')
    for number in sorted({1, page - 1, page, page + 1, page_count} & set(range(1, page_count + 1))):
        if number == page:
            parts.append(f'<span class="pagination__current">{number}</span>')
        else:
            parts.append(f'<a href="?page={number}">{number}</a>')
    if page < page_count:
        parts.append(f'<a class="pagination__next" href="?page={page + 1}">Next</a>')
    return "".join(parts) + "</div>"


def archive_index_page(locale, sections, language) -> str:
    entries = "".join(
        f'<div class="article--listing"><div class="article--listing__text"><a href="{escape(s.url)}">'
        f"{escape(' > '.join(s.breadcrumb))}</a></div></div>\n" for s in sections
    )
    return _document(locale, language.direction, "Archives", "", f"<h1>Archives</h1>\n{entries}")


def home_page(locales: list[str]) -> str:
    links = "".join(f'<li><a href="/{loc}/archives">{loc}</a></li>' for loc in locales)
    return _document("en_GB", "ltr", "Diyaruna", "", f"<ul>{links}</ul>")


def rss_feed(locale: str, articles) -> str:
    items = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(a.path)}</link>"
        f"<pubDate>{a.published_date}</pubDate></item>" for a in articles
    )
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Diyaruna {locale}</title>'
            f"<link>/{locale}</link><description>Demo feed</description>{items}</channel></rss>\n")
