import { useState } from "react";
import { useProviders } from "../api/use-api.js";
import { DataTable } from "../components/data-table.js";
import { Empty, Loading } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { AddButton, Badge, Card, EnabledBadge, PageHead } from "../components/ui.js";
import { useI18n } from "../i18n/index.js";
import { Link, navigate } from "../router.js";
import { ProviderDetail } from "./provider-detail.js";
import { ProviderForm } from "./provider-form.js";

export function ProvidersPage(props: { path: string }) {
  const { t } = useI18n();
  const { providers, error, reload } = useProviders();
  const [creating, setCreating] = useState(false);
  const id = Number(props.path.split("/")[2]);
  if (id) {
    const p = providers?.find((x) => x.id === id);
    if (!providers) return error ? <ErrorAlert error={error} /> : <Loading />;
    if (!p) return <Empty title={t("common.notFound")} action={<Link to="/providers">{t("providers.back")}</Link>} />;
    return <ProviderDetail provider={p} reload={reload} />;
  }
  const add = <AddButton label={t("providers.add")} onClick={() => setCreating(true)} />;
  return (
    <>
      <PageHead title={t("providers.title")} subtitle={t("providers.subtitle")} actions={add} />
      <ErrorAlert error={error} />
      <Card>
        <DataTable
          rows={providers}
          error={error}
          rowKey={(p) => p.id}
          onRowClick={(p) => navigate(`/providers/${p.id}`)}
          empty={<Empty title={t("providers.empty")} hint={t("providers.emptyHint")} action={add} />}
          columns={[
            {
              header: t("common.name"),
              cell: (p) => (
                <Link to={`/providers/${p.id}`}>
                  <strong>{p.name}</strong>
                </Link>
              ),
            },
            { header: t("providers.adapter"), cell: (p) => <Badge tone="brand">{p.adapter}</Badge> },
            { header: t("providers.baseUrl"), className: "mono small", cell: (p) => p.base_url ?? "–" },
            {
              header: t("providers.keys"),
              cell: (p) => t("providers.keyCount", { n: p.api_keys.filter((k) => k.is_enabled).length, total: p.api_keys.length }),
            },
            { header: t("common.status"), cell: (p) => <EnabledBadge enabled={p.is_enabled} /> },
          ]}
        />
      </Card>
      {creating && (
        <ProviderForm
          onClose={() => setCreating(false)}
          onSaved={async (id) => {
            setCreating(false);
            await reload();
            navigate(`/providers/${id}`);
          }}
        />
      )}
    </>
  );
}
