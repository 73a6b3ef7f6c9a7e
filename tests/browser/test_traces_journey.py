"""The live trace feed in a real browser: traces arrive without reload, a lost connection is
announced in French and caught up on return, and the filters hold for live traces too."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


def rename(page, live_server, new_name):
    """Change one's displayed name on /profil (a traced action)."""
    # A background tab gets no animation frames, and clicks wait for them: come to the front.
    page.bring_to_front()
    page.goto(live_server.url + "/profil")
    assert_accessible(page)
    page.get_by_label("Nom affiché").fill(new_name)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Votre profil est enregistré.")).to_be_visible()
    # The caller checks the page's accessibility after its own timed expectations.


def open_feed(page, live_server):
    page.goto(live_server.url + "/traces/")
    expect(page.locator("body")).to_have_attribute("data-live", "connected")
    assert_accessible(page)
    return page


def trace(page, text):
    return page.locator("#traces li.trace", has_text=text)


def test_traces_arrive_live_survive_a_lost_connection_and_respect_filters(
    live_server, make_member, signed_in_page
):
    alice = make_member(name="Alice")
    bruno = make_member(name="Bruno")
    page_a = signed_in_page(alice)
    page_b = signed_in_page(bruno)
    feed_a = open_feed(page_a.context.new_page(), live_server)  # Alice's own feed, a witness
    open_feed(page_b, live_server)
    page_b.evaluate("window.__marker = 1")  # gone if the page ever reloads
    banner = page_b.locator("#hors-ligne")
    expect(banner).to_be_hidden()

    # A traced action by Alice appears on Bruno's open page within a second.
    rename(page_a, live_server, "Alix")
    expect(trace(page_b, "Alix a changé de nom.")).to_be_visible(timeout=1000)
    assert_accessible(page_a)
    expect(page_b.locator("#traces-empty")).to_be_hidden()
    assert_accessible(page_b)

    # Bruno's link drops: the French banner says so.
    page_b.context.set_offline(True)
    page_b.evaluate("Vendredi.live.socket.io.engine.close()")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Hors ligne")
    assert_accessible(page_b)

    # Alice acts meanwhile: her own feed gets it, Bruno's offline page cannot.
    rename(page_a, live_server, "Alexandra")
    # A sentence is rendered when it is read, with the name the person has then (traces store
    # ids, never names): the missed trace reads with her newest name.
    missed = "Alexandra a changé de nom."
    expect(trace(feed_a, missed)).to_be_visible(timeout=1000)
    assert_accessible(page_a)
    expect(trace(page_b, missed)).to_have_count(0)
    expect(banner).to_be_visible()

    # Back online: the page catches up by itself (sync_traces), once, without reloading.
    page_b.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=10_000)
    expect(trace(page_b, missed)).to_have_count(1)
    expect(trace(page_b, "Alix a changé de nom.")).to_have_count(1)
    assert page_b.evaluate("window.__marker") == 1, "the page reloaded instead of catching up"
    seqs = page_b.locator("#traces li.trace").evaluate_all(
        "items => items.map(li => Number(li.dataset.seq))"
    )
    assert seqs == sorted(seqs, reverse=True), f"traces out of order: {seqs}"
    assert_accessible(page_b)

    # Filter by person: only Alice's traces, and a live trace by Bruno stays out.
    # (The list of people was rendered before the renames: choose Alice by her id.)
    page_b.get_by_label("Personne").select_option(value=str(alice.id))
    with page_b.expect_navigation():
        page_b.get_by_role("button", name="Filtrer").click()
    assert f"personne={alice.id}" in page_b.url
    expect(page_b.locator("body")).to_have_attribute("data-live", "connected")
    assert_accessible(page_b)
    listed = page_b.locator("#traces li.trace")
    expect(listed).to_have_count(2)
    assert set(listed.evaluate_all("items => items.map(li => li.dataset.actor)")) == {str(alice.id)}

    profile_b = page_b.context.new_page()
    rename(profile_b, live_server, "Bruna")
    expect(trace(feed_a, "Bruna a changé de nom.")).to_be_visible(timeout=1000)
    assert_accessible(profile_b)
    # Alice acts after Bruno: once her trace is on the filtered page, Bruno's would be too
    # (facts reach one socket in order), so its absence is meaningful.
    rename(page_a, live_server, "Alice")
    expect(trace(page_b, "Alice a changé de nom.")).to_be_visible(timeout=1000)
    expect(trace(page_b, "Bruna a changé de nom.")).to_have_count(0)
    expect(listed).to_have_count(3)
    assert_accessible(page_a)
