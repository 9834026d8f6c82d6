package accessible

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

func (a *Prompter) review(ctx context.Context) error {
	d, err := a.sess.Load(ctx, nil)
	if err != nil {
		return err
	}
	plan := a.sess.DraftPlan(d)
	a.say("%s.", plan.Summary())
	if names := plan.Unmapped(core.Accounts); len(names) > 0 {
		a.say("Unmapped, so not billed: %s.", core.Sample(names, 6))
	}
	if len(plan.Mapped) > 0 {
		list, err := a.yes(fmt.Sprintf("List the %s first", text.Count(len(plan.Mapped), "mapping", "mappings")), false)
		if err != nil {
			return err
		}
		if list {
			a.listMappings(d, plan)
		}
	}
	ok, err := a.yes("Write these mappings to Synthesize (it replaces the whole set; you can update them later)", true)
	if err != nil {
		return err
	}
	if !ok {
		return a.advance(core.Back)
	}
	return a.write(ctx, d, plan, "Wrote the mappings to Synthesize (%s).")
}

// listMappings says every mapping the write would hold, one a line,
// including those "accept" took in bulk.
func (a *Prompter) listMappings(d *core.Data, plan core.Plan) {
	for _, ch := range plan.Mapped {
		a.say("  %s: %s → %s", ch.Kind.Noun, text.Sanitize(ch.Item.Name), d.Describe(ch.Kind, ch.After))
	}
}

// write puts a plan in Synthesize and says so; the core moves the step.
// When someone else wrote meanwhile, it merges (theirs kept, the user's
// choices on top), says what changed, and asks again.
func (a *Prompter) write(ctx context.Context, d *core.Data, plan core.Plan, done string) error {
	for {
		w, err := a.sess.WriteMappings(ctx, plan)
		var changed *core.RemoteChangedError
		if errors.As(err, &changed) {
			r, pending := a.sess.Rebase(d, changed.Current)
			if err := pending(); err != nil {
				return err
			}
			a.say("Someone else changed the mappings in Synthesize since you started: %s. They are kept, with your %s on top.",
				text.Sanitize(core.DescribeNamed(d, r.Theirs, 6)), text.Count(r.Yours, "change", "changes"))
			if len(r.Conflicts) > 0 {
				a.say("You both changed %s; yours are kept.", text.Sanitize(core.DescribeNamed(d, r.Conflicts, 6)))
			}
			plan = a.sess.DraftPlan(d)
			a.say("%s.", plan.Summary())
			ok, err := a.yes("Write the merged mappings to Synthesize", true)
			if err != nil || !ok {
				return err
			}
			continue
		}
		if err != nil {
			if f := core.FailedWrite(err); !w.Wrote && f.Certain {
				return fmt.Errorf("nothing was written: %s; your choices are saved, run it again", f.Why)
			} else if !w.Wrote {
				return fmt.Errorf("not marked as written: %s; your choices are saved, run it again (writing twice is safe)", f.Why)
			}
			return err
		}
		a.say(done, w.Diff)
		return nil
	}
}

// finalSync waits for the usage of the mapped accounts, by the core's rule.
func (a *Prompter) finalSync(ctx context.Context) error {
	if a.sess.Progress().Method != "" {
		return a.finalPull(ctx)
	}
	a.say("One more Gradient Sync brings the usage in. In Mesh (%s):", a.portalURL(a.sess.Progress().Region))
	for i, st := range mesh.FinalSyncSteps {
		a.say("  %d. %s", i+1, st)
	}
	a.say("Waiting for usage…")
	w, last := a.sess.NewFinalSync(), ""
	for {
		u, err := a.sess.PollUsage(ctx)
		if err != nil && ctx.Err() == nil {
			a.say("Synthesize did not answer (%s); asking again.", text.Sanitize(err.Error()))
		}
		done, wait := w.Observe(u, err)
		if line := u.Line() + "."; err == nil && line != last {
			a.say("%s", line)
			last = line
		}
		if done {
			return a.advance(core.UsageArrived)
		}
		select {
		case <-ctx.Done():
			return ErrInterrupted
		case <-time.After(wait):
		}
	}
}

func (a *Prompter) billing(ctx context.Context) error {
	d, err := a.sess.Load(ctx, nil)
	if err != nil {
		return err
	}
	r, err := a.sess.ReconcileAll(ctx, d, false)
	if err != nil {
		return err
	}
	a.say("%s. %s %s", text.Count(len(r.Lines), "billing row", "billing rows"), mesh.DiscrepancyNote, r.Mesh)
	for _, l := range r.Lines {
		if l.Difference != 0 {
			a.say("  %s, %s, %s: Mesh usage %s, PSA %s, difference %s", l.Company, l.Account, l.Product,
				text.Qty(l.AgreementUsage), text.Qty(l.BilledQuantity), text.Signed(l.Difference))
			if l.MeshBilled != nil {
				a.say("    %s", core.Why(l))
			}
		}
	}
	if r.Differ == 0 {
		a.say("Every PSA quantity matches Mesh's usage.")
		return nil
	}
	ok, err := a.yes("Set the "+text.Count(r.Differ, "differing PSA quantity", "differing PSA quantities")+
		" to Mesh's usage ("+text.Signed(r.Units)+" units, "+text.Money(r.Money)+" a month)", false)
	if err != nil || !ok {
		if err == nil {
			a.say("Nothing was changed.")
		}
		return err
	}
	done, err := a.sess.ReconcileAll(ctx, d, true)
	if err != nil {
		return err
	}
	a.say("Set %s to Mesh's usage.", text.Count(done.Applied, "PSA quantity", "PSA quantities"))
	return nil
}

// home is the connected integration's menu: the home screen's actions, in
// its order.
func (a *Prompter) home(ctx context.Context) error {
	for {
		st, err := a.sess.Status(ctx)
		if err != nil {
			return err
		}
		a.say("\nHome · Mesh is connected, vendor status %s; %d accounts (%d mapped, %d do not bill, %d unmapped).",
			text.Sanitize(st.Status), st.Counts.Accounts, st.MappedAccounts, st.IgnoredAccounts, st.UnmappedAccounts)
		if lp := st.LastPull; lp != nil {
			a.say("Connected by Mesh API key …%s; last pull %s.", text.Sanitize(st.MeshKeyHint), text.Stamp(lp.At, time.Now()))
			if lp.Error != "" {
				a.say("The last pull failed: %s. %s.", text.Sanitize(lp.Error), core.PullAdvice(lp.Error))
			}
		}
		a.homeAlerts(st)
		actions := core.HomeActionsOf(a.sess.Progress())
		for i, act := range actions {
			a.say("  %d. %s", i+1, act.Title)
		}
		quit := len(actions) + 1
		a.say("  %d. Quit", quit)
		picked, err := a.numbers("Choice: ", quit, nil)
		if err != nil {
			return err
		}
		if picked[0] == quit {
			return nil
		}
		switch act := actions[picked[0]-1]; {
		case act.Disconnect:
			a.say("%s", core.DisconnectWarning)
			answer, err := a.ask("Type disconnect to go on, or Enter to keep everything: ")
			if err != nil {
				return err
			}
			if answer != "disconnect" {
				a.say("Not disconnected: nothing changed.")
				continue
			}
			if _, err := a.sess.Disconnect(ctx); err != nil {
				return err
			}
			a.say("Disconnected: Synthesize revoked the key and deleted every mapping, and the local state for Mesh was wiped.")
			return nil
		case act.Event == core.OpenBilling:
			err = a.billing(ctx)
		case act.Event == core.NewKey:
			err = a.rekey(ctx)
		case act.Sync:
			err = a.syncNow(ctx)
		case act.Event == core.ReplaceMeshKey:
			err = a.replace(ctx)
		case act.Event == core.OpenAlerts:
			err = a.alerts(ctx)
		case act.Event == core.OpenConfigure:
			err = a.configure(ctx)
		default:
			err = a.update(ctx, act.Kind)
		}
		if err != nil {
			return err
		}
	}
}

// rekey issues a new key after a yes, and shows it once.
func (a *Prompter) rekey(ctx context.Context) error {
	ok, err := a.yes("Issue a new key? The old one stops working at once, until you paste the new one in Mesh", false)
	if err != nil || !ok {
		return err
	}
	key, err := a.sess.Rekey(ctx, true)
	if key == "" {
		return err
	}
	a.say("The new API key, shown only this once and never saved by this program:\n%s", text.Sanitize(key))
	a.say("In the Mesh portal (%s), Settings → Gradient: paste it and press Submit.", a.portalURL(a.sess.Progress().Region))
	return err
}

// update starts from what Synthesize holds, maps what is unmapped and
// offers to change anything else, then writes the differences, as an
// update from the home screen does.
func (a *Prompter) update(ctx context.Context, k core.Kind) error {
	d, err := a.sess.Load(ctx, nil)
	if err != nil {
		return err
	}
	if _, pending := a.sess.StartUpdate(d, k); pending() != nil {
		return pending()
	}
	if err := a.mapping(d, k, true); err != nil {
		return err
	}
	plan := a.sess.DraftPlan(d)
	if plan.Diff.Empty() {
		a.say("Nothing changed, so nothing was written.")
		return a.advance(core.Back)
	}
	return a.write(ctx, d, plan, "Mappings updated in Synthesize: %s.")
}
