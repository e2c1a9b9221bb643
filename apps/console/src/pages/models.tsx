import { useState } from "react";
import { useModels, useProviders } from "../api/use-api.js";
import { DataTable } from "../components/data-table.js";
import { Empty, Loading } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Identifier } from "../components/identifier.js";
import { AddButton, Badge, Card, EnabledBadge, PageHead } from "../components/ui.js";
import { useI18n } from "../i18n/index.js";
import { Link, navigate } from "../router.js";
import { ModelDetail } from "./model-detail.js";
import { ModelCreateForm } from "./model-forms.js";

export function ModelsPage(props: { path: string }) {
  const { t } = useI18n();
  const { models, error, reload } = useModels();
  const { providers } = useProviders();
  const [creating, setCreating] = useState(false);
  const id = Number(props.path.split("/")[2]);
  if (id) {
    if (!models) return error ? <ErrorAlert error={error} /> : <Loading />;
    const m = models.find((x) => x.id === id);
    if (!m) return <Empty title={t("common.notFound")} action={<Link to="/models">{t("models.back")}</Link>} />;
    return <ModelDetail model={m} providers={providers ?? []} reload={reload} />;
  }
  const add = <AddButton label={t("models.add")} onClick={() => setCreating(true)} />;
  return (
    <>
      <PageHead title={t("models.title")} subtitle={t("models.subtitle")} actions={add} />
      <ErrorAlert error={error} />
      <Card>
        <DataTable
          rows={models}
          error={error}
          rowKey={(m) => m.id}
          onRowClick={(m) => navigate(`/models/${m.id}`)}
          empty={
            <Empty
              title={t("models.empty")}
              hint={providers?.length === 0 ? t("models.emptyNoProviders") : t("models.emptyHint")}
              action={add}
            />
          }
          columns={[
            {
              header: t("common.name"),
              cell: (m) => (
                <Link to={`/models/${m.id}`}>
                  <strong>
                    <Identifier inline text={m.name} />
                  </strong>
                </Link>
              ),
            },
            { header: t("models.type"), cell: (m) => m.llm_type },
            { header: t("models.strategy"), className: "mono small", cell: (m) => m.strategy },
            {
              header: t("models.providers"),
              cell: (m) => (
                <div className="row" style={{ gap: 4 }}>
                  {m.providers.length === 0 ? (
                    <span className="muted">{t("models.noLinks")}</span>
                  ) : (
                    m.providers.map((l) => <Badge key={l.provider_id}>{l.provider_name}</Badge>)
                  )}
                </div>
              ),
            },
            { header: t("common.status"), cell: (m) => <EnabledBadge enabled={m.is_enabled} /> },
          ]}
        />
      </Card>
      {creating && (
        <ModelCreateForm
          providers={providers ?? []}
          onClose={() => setCreating(false)}
          onSaved={async (newId) => {
            setCreating(false);
            await reload();
            navigate(`/models/${newId}`);
          }}
        />
      )}
    </>
  );
}
