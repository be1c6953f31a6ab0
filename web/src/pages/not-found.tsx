// Any path the UI does not know.

import type { JSX } from "preact";
import { AppLink, PageTitle } from "../components/common";

export function NotFoundPage(): JSX.Element {
  return (
    <section class="card">
      <PageTitle>Page not found</PageTitle>
      <p>There is nothing at this address. Check the link, or go back to the start.</p>
      <p>
        <AppLink href="/" className="button">
          Go to your home page
        </AppLink>
      </p>
    </section>
  );
}
